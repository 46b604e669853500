/**
 * usage.record: meter one operation of a user, exactly once per idempotency key.
 *
 * - The plan's included operations for the current period go first; beyond them the plan's
 *   overage mode decides: `credits` debits the operation's unit cost per unit from the ledger
 *   (kind `usage`, under the same idempotency key), `refuse` answers QUOTA_EXCEEDED, `invoice`
 *   records `overage` (the plan's per-operation price × the operations beyond) and queues, in
 *   the same transaction, the job that bills it as a Stripe invoice item (overage-invoice.ts).
 * - Serialised per user and period: the transaction first locks the period's counter row,
 *   then reads what is left, takes it with a guarded increment and (if credits pay) takes the
 *   balance row with the ledger's guarded decrement. So the last included operation and the
 *   first over it, sent at once from any number of processes, are counted once each.
 * - The key is usage_records' unique index (and the ledger's, for the credits part). A key
 *   with a record answers that record's answer as stored (what was left then); the same key
 *   for another user, operation or quantity is IDEMPOTENCY_KEY_REUSED, and so is a key a
 *   credits.debit used. Metadata is not compared: it describes, it does not charge.
 * - A refusal writes nothing (the whole transaction rolls back), as for credits.debit.
 */
import type { Database, UsageRecord } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../credits/ledger/entry-view';
import { lockIdempotencyKey } from '../credits/ledger/idempotency-keys';
import { debitBalance, findBalance, findEntryByKey } from '../credits/ledger/ledger.queries';
import { noteLowBalance } from '../credits/low-balance/low-balance';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { findActiveOperationType } from './operation-types';
import { enqueueOveragePush, type OverageTerms, overageTerms } from './overage-invoice';
import { findRecordByKey, insertRecord, lockCounter, takeIncluded } from './usage.queries';
import type { TRecordInput } from './usage.schemas';
import { loadUsagePeriod, type UsagePeriod } from './usage-period';
import { toRecordView, type UsageOutcomeKind, type UsageRecordView } from './usage-view';

type RecordDeps = Pick<Deps, 'db' | 'clock' | 'config'>;

export interface RecordResult {
  outcome: UsageOutcomeKind;
  record: UsageRecordView;
  /**
   * Right after this record: included operations left in its period, and the credit balance.
   * An `overage` record's cost is on the record (`overage.cents`), billed on the next invoice.
   */
  remaining: { included: number; creditBalance: number };
}

interface Request {
  userId: string;
  operation: string;
  quantity: number;
}

export async function recordUsage(deps: RecordDeps, input: TRecordInput): Promise<RecordResult> {
  const request = {
    userId: input.userId,
    operation: input.operation,
    quantity: input.quantity ?? 1,
  };
  const earlier = await findRecordByKey(deps.db, input.idempotencyKey);
  if (earlier) return replayOrConflict(earlier, request);
  const type = await findActiveOperationType(deps.db, input.operation);
  if (!type) {
    throw new AppError('OPERATION_TYPE_NOT_FOUND', `No active operation type ${input.operation}`, {
      fieldErrors: { operation: ['is not an active operation type (see usage.operationTypes)'] },
    });
  }
  const period = await loadUsagePeriod(deps.db, deps, input.userId);
  try {
    const row = await deps.db
      .transaction()
      .execute((trx) =>
        writeRecord(trx, deps, { ...input, ...request, unitCost: type.unit_cost_credits, period }),
      );
    return toResult(row);
  } catch (error) {
    // Another send of the key committed first (its insert made ours wait, then fail).
    if (
      isUniqueViolation(error, 'usage_records_idempotency_key_key') ||
      isUniqueViolation(error, 'credit_ledger_idempotency_key')
    ) {
      const first = await findRecordByKey(deps.db, input.idempotencyKey);
      if (first) return replayOrConflict(first, request);
      throw keyReused();
    }
    throw error;
  }
}

async function writeRecord(
  trx: Kysely<Database>,
  deps: RecordDeps,
  args: TRecordInput & Request & { unitCost: number; period: UsagePeriod },
): Promise<UsageRecord> {
  const { period, userId, quantity } = args;
  const at = deps.clock.now();
  // The key first (shared with the ledger's debits), then the counter: one lock order.
  await lockIdempotencyKey(trx, args.idempotencyKey);
  const counter = await lockCounter(trx, { userId, ...period, at });
  // Under the lock: a send of this key that committed while we waited is the first one.
  const raced = await findRecordByKey(trx, args.idempotencyKey);
  if (raced) return raced;
  if (await findEntryByKey(trx, args.idempotencyKey)) throw keyReused();

  const includedQuantity = Math.min(quantity, Math.max(0, counter.included - counter.used));
  let used = counter.used;
  if (includedQuantity > 0) {
    const taken = await takeIncluded(trx, {
      userId,
      start: period.start,
      quantity: includedQuantity,
      at,
    });
    if (!taken) throw new Error('usage counter changed under its own lock');
    used = taken.used;
  }
  const over = quantity - includedQuantity;
  let credits = { spent: 0, entryId: null as number | null, balance: 0 };
  let overage: OverageTerms | null = null;
  if (over > 0 && period.overageMode !== 'credits') {
    overage = invoiceOrRefuse(period, over, { used, included: counter.included });
    credits.balance = await findBalance(trx, userId);
  } else if (over > 0) {
    const amount = over * args.unitCost;
    const entry = await debitBalance(trx, {
      userId,
      kind: 'usage',
      amount,
      reason: `${args.operation} × ${over} beyond the plan's included operations`,
      idempotencyKey: args.idempotencyKey,
      sourceRef: null,
      metadata: { operation: args.operation, quantity: over },
      at,
    });
    if (!entry) {
      const balance = await findBalance(trx, userId);
      throw new AppError(
        'INSUFFICIENT_CREDITS',
        `The included operations are used up and the balance (${balance}) is less than the ${amount} credits this costs`,
        { details: { balance, requested: amount } },
      );
    }
    await noteLowBalance(trx, entry, deps.config.creditsLowThreshold);
    credits = { spent: amount, entryId: entry.id, balance: entry.balance_after };
  } else {
    credits.balance = await findBalance(trx, userId);
  }
  const record = await insertRecord(trx, {
    user_id: userId,
    operation: args.operation,
    quantity,
    included_quantity: includedQuantity,
    outcome: over === 0 ? 'included' : overage ? 'overage' : 'credits',
    credits_spent: credits.spent,
    credit_entry_id: credits.entryId,
    overage_quantity: overage?.quantity ?? 0,
    overage_cents: overage?.cents ?? 0,
    overage_currency: overage?.currency ?? null,
    overage_subscription_id: overage?.subscriptionId ?? null,
    idempotency_key: args.idempotencyKey,
    period_start: period.start,
    period_end: period.end,
    included_left: Math.max(0, counter.included - used),
    credit_balance: credits.balance,
    metadata: JSON.stringify(args.metadata ?? {}),
    created_at: at,
  });
  if (overage) await enqueueOveragePush(trx, record.id);
  return record;
}

/** Beyond the allowance on a plan that does not pay with credits: invoice it, or refuse. */
function invoiceOrRefuse(
  period: UsagePeriod,
  over: number,
  counter: { used: number; included: number },
): OverageTerms {
  if (period.overageMode === 'invoice') return overageTerms(period, over, counter);
  throw new AppError(
    'QUOTA_EXCEEDED',
    `The ${period.planCode} plan's ${counter.included} included operations for this period are used up`,
    { details: { ...counter, plan: period.planCode, periodEnd: period.end.toISOString() } },
  );
}

function replayOrConflict(earlier: UsageRecord, request: Request): RecordResult {
  if (
    earlier.user_id !== request.userId ||
    earlier.operation !== request.operation ||
    earlier.quantity !== request.quantity
  ) {
    throw keyReused();
  }
  return toResult(earlier);
}

function keyReused(): AppError {
  return new AppError(
    'IDEMPOTENCY_KEY_REUSED',
    'This idempotency key was used for another request (another operation, quantity or account, or a credits debit)',
    { fieldErrors: { idempotencyKey: ['was used before for a different request'] } },
  );
}

function toResult(row: UsageRecord): RecordResult {
  return {
    outcome: row.outcome,
    record: toRecordView(row),
    remaining: { included: row.included_left, creditBalance: row.credit_balance },
  };
}
