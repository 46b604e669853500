/**
 * Group commit: many debits in one transaction, each with its own key and its own answer,
 * exactly as if each had run alone in the order given (debit.ts's rules). The debits may be of
 * one account or of many.
 *
 * A hot account is limited by one commit at a time: every debit holds the balance row's lock
 * from its UPDATE to its COMMIT (the WAL flush). Spread over many accounts, each debit alone
 * pays five round trips and a flush. Here one transaction takes the keys' locks, locks the
 * balance rows, reads which keys usage records or entries hold, then decides each debit in
 * order in memory — a replay, a conflict, a refusal at the balance its turn sees, or an entry
 * with its account's next balance_after — and writes every new balance and entry in one
 * statement: the same few round trips and one flush for the whole batch.
 *
 * Two ways to take the locks:
 * - `wait` (one account's queue, debit-queue.ts): wait for each, as a lone debit does. An
 *   account without a balance row refuses its debits (nothing to take from).
 * - `skip` (the process-wide lane, debit-lane.ts): take what is free now and hand back, as
 *   `deferred`, the debits whose key lock or balance row another transaction holds (or whose
 *   account has no row yet); nothing of theirs is written or decided. The transaction never
 *   waits on a lock of an account, so one stuck account cannot hold up the others.
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
import {
  keysHeldByUsageRecords,
  lockIdempotencyKeys,
  tryLockIdempotencyKeys,
} from '../ledger/idempotency-keys';
import { noteLowBalance } from '../low-balance/low-balance';
import type { DebitRequest } from './debit';
import { entriesByKeys, lockBalances, tryLockBalances, writeDebits } from './debit-batch.queries';
import { insufficientCredits, keyHeldByUsageRecord } from './debit-refusals';

export type DebitOutcome = { ok: true; result: CreditResult } | { ok: false; error: unknown };

export type LockMode = 'wait' | 'skip';

export interface BatchResult {
  /** One per request, in order; undefined for a deferred one. */
  outcomes: (DebitOutcome | undefined)[];
  /** The requests (by index) this transaction could not lock (`skip` only). */
  deferred: number[];
}

type Decision =
  | { kind: 'answer'; outcome: DebitOutcome }
  | { kind: 'write'; balanceAfter: number }
  | { kind: 'defer' };

/**
 * Debits (`requests`, with distinct keys) in one transaction; rejects only when the
 * transaction fails as a whole.
 */
export async function debitBatch(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  requests: DebitRequest[],
  mode: LockMode = 'wait',
): Promise<BatchResult> {
  const keys = requests.map((request) => request.idempotencyKey);
  const accounts = [...new Set(requests.map((request) => request.userId))];
  return deps.db.transaction().execute(async (trx) => {
    const { lockedKeys, balances } =
      mode === 'wait'
        ? {
            lockedKeys: await lockIdempotencyKeys(trx, keys).then(() => new Set(keys)),
            balances: await lockBalances(trx, accounts),
          }
        : await tryLocks(trx, keys, accounts);
    const held = keys.filter((key) => lockedKeys.has(key));
    // Read after the locks: their holders' writes have committed by now, and are seen.
    const usageKeys = held.length > 0 ? await keysHeldByUsageRecords(trx, held) : new Set();
    const earlier = held.length > 0 ? await entriesByKeys(trx, held) : new Map();
    const decisions = requests.map((request): Decision => {
      const key = request.idempotencyKey;
      const balance = balances.get(request.userId);
      if (mode === 'skip' && (!lockedKeys.has(key) || balance === undefined)) {
        return { kind: 'defer' };
      }
      if (usageKeys.has(key)) return refused(keyHeldByUsageRecord(request.keyField));
      const entry = earlier.get(key);
      if (entry) return replayed(entry, request);
      if (balance === undefined || balance < request.amount) {
        return refused(insufficientCredits(balance ?? 0, request.amount));
      }
      balances.set(request.userId, balance - request.amount);
      return { kind: 'write', balanceAfter: balance - request.amount };
    });
    const written = await writeEntries(trx, deps, requests, decisions, balances);
    const outcomes = decisions.map((decision, i): DebitOutcome | undefined => {
      if (decision.kind === 'defer') return undefined;
      if (decision.kind === 'answer') return decision.outcome;
      const entry = written.get(requests[i]?.idempotencyKey ?? '');
      if (!entry) throw new Error('a grouped debit lost its entry');
      return { ok: true, result: toResult(entry) };
    });
    const deferred = decisions.flatMap((decision, i) => (decision.kind === 'defer' ? [i] : []));
    return { outcomes, deferred };
  });
}

async function tryLocks(trx: Kysely<Database>, keys: string[], accounts: string[]) {
  const lockedKeys = await tryLockIdempotencyKeys(trx, keys);
  const balances = await tryLockBalances(trx, accounts);
  return { lockedKeys, balances };
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

/** The new balances and the batch's entries, by key; nothing when no debit was decided. */
async function writeEntries(
  trx: Kysely<Database>,
  deps: Pick<Deps, 'clock' | 'config'>,
  requests: DebitRequest[],
  decisions: Decision[],
  balances: Map<string, number>,
): Promise<Map<string, CreditEntry>> {
  const debits = requests.flatMap((request, i) => {
    const decision = decisions[i];
    if (decision?.kind !== 'write') return [];
    return [{ request, balanceAfter: decision.balanceAfter }];
  });
  if (debits.length === 0) return new Map();
  const moved = new Set(debits.map(({ request }) => request.userId));
  const entries = await writeDebits(trx, {
    balances: [...moved].map((userId) => ({ userId, balance: balances.get(userId) ?? 0 })),
    debits,
    at: deps.clock.now(),
  });
  // In id order: exactly one entry of an account's run can cross the threshold, as alone.
  for (const entry of entries.sort((a, b) => Number(a.id) - Number(b.id))) {
    await noteLowBalance(trx, entry, deps.config.creditsLowThreshold);
  }
  return new Map(entries.map((entry) => [entry.idempotency_key ?? '', entry]));
}
