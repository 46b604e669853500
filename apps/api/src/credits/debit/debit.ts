/**
 * credits.debit (and its alias credits.use): take credits from an account, exactly once per
 * idempotency key, never below zero (ADR 0008).
 *
 * - The decrement is guarded in SQL (`balance >= amount` in the UPDATE that takes the row
 *   lock) and writes its entry in the same statement; the CHECK (balance >= 0) stands behind
 *   it. Concurrent debits of one account queue on the row lock and each re-reads the balance
 *   it is given, so N credits pay for exactly N debits of 1, across any number of processes.
 * - The key is the ledger's unique index. A request whose key has an entry gets that entry's
 *   answer (the first one), whichever process or attempt wrote it: after a lost response, a
 *   crash between commit and answer, or a retry racing the original. The same key for another
 *   amount or account is IDEMPOTENCY_KEY_REUSED.
 * - The key space is shared with usage records (ledger/idempotency-keys.ts): a key an
 *   included usage record holds is IDEMPOTENCY_KEY_REUSED here too.
 * - A refusal (INSUFFICIENT_CREDITS) writes nothing and is not remembered: the same key may
 *   succeed once the account has credits again. Only an effect is final.
 * - With CREDITS_GROUP_COMMIT (the default), debits arriving together in one process share
 *   one transaction, whatever their accounts (debit-lane.ts, debit-queue.ts, debit-batch.ts),
 *   under the same rules.
 */
import type { CreditEntry, Json } from '@tollbooth/db';
import type { Deps } from '../../deps';
import {
  type CreditResult,
  isUniqueViolation,
  replayOrConflict,
  toResult,
} from '../ledger/entry-view';
import { lockIdempotencyKey, usageRecordHoldsKey } from '../ledger/idempotency-keys';
import { debitBalance, findBalance, findEntryByKey } from '../ledger/ledger.queries';
import { noteLowBalance } from '../low-balance/low-balance';
import { queueDebit } from './debit-lane';
import { insufficientCredits, keyHeldByUsageRecord } from './debit-refusals';

export interface DebitRequest {
  userId: string;
  amount: number;
  idempotencyKey: string;
  reason: string | null;
  metadata: Json;
  /** The input field that carried the key (`ref` for credits.use), for field messages. */
  keyField?: string;
}

export function debitCredits(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  request: DebitRequest,
): Promise<CreditResult> {
  if (!deps.config.creditsGroupCommit) return debitAlone(deps, request);
  return queueDebit(deps, request, (queued) => debitAlone(deps, queued));
}

/** One debit in its own transaction. */
async function debitAlone(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  request: DebitRequest,
): Promise<CreditResult> {
  const written = await tryDebit(deps, request);
  if (written) return toResult(written);
  // Nothing was debited: the key had an entry already, or the balance is short.
  const same = { kind: 'debit' as const, userId: request.userId, delta: -request.amount };
  const earlier = await findEntryByKey(deps.db, request.idempotencyKey);
  if (earlier) return replayOrConflict(earlier, same, request.keyField);
  throw insufficientCredits(await findBalance(deps.db, request.userId), request.amount);
}

/** The entry written, or undefined when the balance was short or the key was taken. */
async function tryDebit(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  request: DebitRequest,
): Promise<CreditEntry | undefined> {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      await lockIdempotencyKey(trx, request.idempotencyKey);
      if (await usageRecordHoldsKey(trx, request.idempotencyKey)) {
        throw keyHeldByUsageRecord(request.keyField);
      }
      const entry = await debitBalance(trx, {
        userId: request.userId,
        kind: 'debit',
        amount: request.amount,
        reason: request.reason,
        idempotencyKey: request.idempotencyKey,
        sourceRef: null,
        metadata: request.metadata,
        at: deps.clock.now(),
      });
      if (entry) await noteLowBalance(trx, entry, deps.config.creditsLowThreshold);
      return entry;
    });
  } catch (error) {
    // The key's entry exists (or is committing in another transaction, which the index made
    // this one wait for): this attempt's decrement was undone with its insert.
    if (isUniqueViolation(error, 'credit_ledger_idempotency_key')) return undefined;
    throw error;
  }
}
