/**
 * Group commit: many debits of one account in one transaction, each with its own key and its
 * own answer, exactly as if each had run alone in the order given (debit.ts's rules).
 *
 * A hot account is limited by one commit at a time: every debit holds the balance row's lock
 * from its UPDATE to its COMMIT (the WAL flush). Here one transaction takes the keys' locks
 * (lockIdempotencyKey's, in one order), reads which keys usage records or entries hold, locks
 * the balance row, then decides each debit in order in memory — a replay, a conflict, a
 * refusal at the balance its turn sees, or an entry with the next balance_after — and writes
 * the new balance and all entries in two statements: one flush for the whole batch.
 *
 * A refusal or conflict of one debit is its own answer and writes nothing for it; the others
 * go on. A database error rejects the batch as a whole, with nothing written: for a unique
 * violation (a writer that takes no key lock, such as an admin grant with the same key) the
 * caller runs each debit alone (debit-queue.ts); any other error is every debit's answer.
 */
import type { CreditEntry, Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps';
import { type CreditResult, replayOrConflict, toResult } from '../ledger/entry-view';
import { keysHeldByUsageRecords, lockIdempotencyKeys } from '../ledger/idempotency-keys';
import { setBalance } from '../ledger/ledger.queries';
import { noteLowBalance } from '../low-balance/low-balance';
import type { DebitRequest } from './debit';
import { entriesByKeys, insertEntries, lockExistingBalance } from './debit-batch.queries';
import { insufficientCredits, keyHeldByUsageRecord } from './debit-refusals';

export type DebitOutcome = { ok: true; result: CreditResult } | { ok: false; error: unknown };

type Decision = { kind: 'answer'; outcome: DebitOutcome } | { kind: 'write'; balanceAfter: number };

/**
 * Debits of one account (`requests`, all of `userId`, with distinct keys) in one transaction;
 * one outcome per request, in order. Rejects only when the transaction fails as a whole.
 */
export async function debitBatch(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  userId: string,
  requests: DebitRequest[],
): Promise<DebitOutcome[]> {
  const keys = requests.map((request) => request.idempotencyKey);
  return deps.db.transaction().execute(async (trx) => {
    await lockIdempotencyKeys(trx, keys);
    const usageKeys = await keysHeldByUsageRecords(trx, keys);
    const earlier = await entriesByKeys(trx, keys);
    let balance = await lockExistingBalance(trx, userId);
    const decisions = requests.map((request): Decision => {
      if (usageKeys.has(request.idempotencyKey)) {
        return refused(keyHeldByUsageRecord(request.keyField));
      }
      const entry = earlier.get(request.idempotencyKey);
      if (entry) return replayed(entry, request);
      if (balance === undefined || balance < request.amount) {
        return refused(insufficientCredits(balance ?? 0, request.amount));
      }
      balance -= request.amount;
      return { kind: 'write', balanceAfter: balance };
    });
    const written = await writeEntries(trx, deps, userId, requests, decisions, balance ?? 0);
    return decisions.map((decision, i): DebitOutcome => {
      if (decision.kind === 'answer') return decision.outcome;
      const entry = written.get(requests[i]?.idempotencyKey ?? '');
      if (!entry) throw new Error('a grouped debit lost its entry');
      return { ok: true, result: toResult(entry) };
    });
  });
}

function refused(error: unknown): Decision {
  return { kind: 'answer', outcome: { ok: false, error } };
}

function replayed(entry: CreditEntry, request: DebitRequest): Decision {
  try {
    const same = { kind: 'debit' as const, userId: request.userId, delta: -request.amount };
    return {
      kind: 'answer',
      outcome: { ok: true, result: replayOrConflict(entry, same, request.keyField) },
    };
  } catch (error) {
    return refused(error);
  }
}

/** The new balance and the batch's entries, by key; nothing when every debit was answered. */
async function writeEntries(
  trx: Kysely<Database>,
  deps: Pick<Deps, 'clock' | 'config'>,
  userId: string,
  requests: DebitRequest[],
  decisions: Decision[],
  balance: number,
): Promise<Map<string, CreditEntry>> {
  const at = deps.clock.now();
  const rows = requests.flatMap((request, i) => {
    const decision = decisions[i];
    if (decision?.kind !== 'write') return [];
    return [
      {
        user_id: userId,
        kind: 'debit' as const,
        delta: -request.amount,
        balance_after: decision.balanceAfter,
        reason: request.reason,
        idempotency_key: request.idempotencyKey,
        source_ref: null,
        metadata: JSON.stringify(request.metadata),
        created_at: at,
      },
    ];
  });
  if (rows.length === 0) return new Map();
  await setBalance(trx, { userId, balance, at });
  const entries = await insertEntries(trx, rows);
  // In id order: exactly one entry of a batch can cross the threshold, as alone.
  for (const entry of entries.sort((a, b) => Number(a.id) - Number(b.id))) {
    await noteLowBalance(trx, entry, deps.config.creditsLowThreshold);
  }
  return new Map(entries.map((entry) => [entry.idempotency_key ?? '', entry]));
}
