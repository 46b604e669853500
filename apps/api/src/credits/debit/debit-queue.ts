/**
 * Where debits of one account meet when they must wait for the account (in one process): the
 * lane (debit-lane.ts) hands over the debits whose balance row or key another transaction
 * holds, and every later one of the account while that account's queue runs. The first one
 * runs at once; those arriving while a transaction of the account is open wait, and the next
 * transaction takes them all together (debit-batch.ts, waiting for the locks). Across
 * processes, batches queue on the balance row's lock as single debits do.
 *
 * Behind a stuck lock on the balance row, one debit of the account waits in the database (one
 * pooled connection, not one per debit); the others wait here, and when the database cancels
 * that wait at the statement bound they get its 503 with it, so each answers within one bound.
 *
 * A batch holds distinct keys: a second send of a key already in the batch (a retry racing its
 * original) waits for the next one, where it finds the first send's entry and replays it.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps';
import { databaseFailure } from '../../errors/database-unavailable';
import { type CreditResult, isUniqueViolation } from '../ledger/entry-view';
import type { DebitRequest } from './debit';
import { type DebitOutcome, debitBatch } from './debit-batch';
import { takeBatch, type Waiter } from './debit-waiters';

type DebitDeps = Pick<Deps, 'db' | 'clock' | 'config'>;
type Alone = (request: DebitRequest) => Promise<CreditResult>;

/** Per database (a test process runs several apps), per account: who waits. */
const queues = new WeakMap<Kysely<Database>, Map<string, Waiter[]>>();

/** Whether the account's queue runs in this process: its next debits belong there. */
export function accountQueueRuns(db: Kysely<Database>, userId: string): boolean {
  return queues.get(db)?.has(userId) ?? false;
}

/** Queues a debit on its account; `waiter.settle` gets its answer. */
export function queueForAccount(deps: DebitDeps, waiter: Waiter, alone: Alone): void {
  let accounts = queues.get(deps.db);
  if (!accounts) {
    accounts = new Map();
    queues.set(deps.db, accounts);
  }
  const userId = waiter.request.userId;
  const waiting = accounts.get(userId);
  if (waiting) {
    // An account with waiters has a drain running.
    waiting.push(waiter);
    return;
  }
  accounts.set(userId, [waiter]);
  void drain(deps, accounts, userId, alone);
}

async function drain(
  deps: DebitDeps,
  accounts: Map<string, Waiter[]>,
  userId: string,
  alone: Alone,
): Promise<void> {
  for (;;) {
    const waiting = accounts.get(userId) ?? [];
    if (waiting.length === 0) {
      accounts.delete(userId);
      return;
    }
    const batch = takeBatch(waiting);
    const outcomes =
      batch.length === 1 ? await runAlone(batch, alone) : await runBatch(deps, batch, alone);
    // The database cancelled or lost that transaction (a lock held past the statement bound,
    // a restart): those who queued behind it meanwhile would wait for the same lock or the
    // same server, one bound after another. They get its answer now, a 503 to retry with
    // their key, so no debit waits longer than the configured bound. Nothing of theirs ran.
    const unavailable = outcomes.find((outcome) => !outcome.ok && databaseFailure(outcome.error));
    if (unavailable && !unavailable.ok) {
      for (const waiter of waiting.splice(0)) waiter.settle(unavailable);
    }
  }
}

async function runBatch(deps: DebitDeps, batch: Waiter[], alone: Alone): Promise<DebitOutcome[]> {
  try {
    const { outcomes } = await debitBatch(
      deps,
      batch.map((waiter) => waiter.request),
      'wait',
    );
    return batch.map((waiter, i) => {
      const outcome: DebitOutcome = outcomes[i] ?? { ok: false, error: new Error('no outcome') };
      waiter.settle(outcome);
      return outcome;
    });
  } catch (error) {
    // Nothing of the batch was written. A key taken by a writer without the key lock
    // aborts the whole batch: each debit alone then gets its own answer. Any other error
    // (a statement timeout, a lost connection) would fail each debit alone again, one
    // bound after another: it is every debit's answer.
    if (isUniqueViolation(error, 'credit_ledger_idempotency_key')) return runAlone(batch, alone);
    const outcome: DebitOutcome = { ok: false, error };
    for (const waiter of batch) waiter.settle(outcome);
    return [outcome];
  }
}

async function runAlone(batch: Waiter[], alone: Alone): Promise<DebitOutcome[]> {
  const outcomes: DebitOutcome[] = [];
  for (const waiter of batch) {
    const outcome = await alone(waiter.request).then(
      (result): DebitOutcome => ({ ok: true, result }),
      (error: unknown): DebitOutcome => ({ ok: false, error }),
    );
    waiter.settle(outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}
