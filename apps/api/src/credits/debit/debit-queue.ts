/**
 * Where concurrent debits of one account meet (in one process): the first one runs at once;
 * those arriving while a transaction of the account is open wait, and the next transaction
 * takes them all together (debit-batch.ts). No timer: a lone debit never waits, and the more
 * arrive together, the larger the batch. Across processes, batches queue on the balance row's
 * lock as single debits do.
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

/** Bounds one transaction's length (and so the row lock's hold) under a flood. */
const MAX_BATCH = 100;

interface Waiter {
  request: DebitRequest;
  settle(outcome: DebitOutcome): void;
}

type DebitDeps = Pick<Deps, 'db' | 'clock' | 'config'>;
type Alone = (request: DebitRequest) => Promise<CreditResult>;

/** Per database (a test process runs several apps), per account: who waits. */
const queues = new WeakMap<Kysely<Database>, Map<string, Waiter[]>>();

export function queueDebit(
  deps: DebitDeps,
  request: DebitRequest,
  alone: Alone,
): Promise<CreditResult> {
  let accounts = queues.get(deps.db);
  if (!accounts) {
    accounts = new Map();
    queues.set(deps.db, accounts);
  }
  const waiting = accounts.get(request.userId);
  const result = new Promise<CreditResult>((resolve, reject) => {
    const waiter: Waiter = {
      request,
      settle: (outcome) => (outcome.ok ? resolve(outcome.result) : reject(outcome.error)),
    };
    if (waiting) waiting.push(waiter);
    else accounts.set(request.userId, [waiter]);
  });
  // An account with waiters has a drain running; otherwise this debit starts one.
  if (!waiting) void drain(deps, accounts, request.userId, alone);
  return result;
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
      batch.length === 1
        ? await runAlone(batch, alone)
        : await runBatch(deps, userId, batch, alone);
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

async function runBatch(
  deps: DebitDeps,
  userId: string,
  batch: Waiter[],
  alone: Alone,
): Promise<DebitOutcome[]> {
  try {
    const outcomes = await debitBatch(
      deps,
      userId,
      batch.map((waiter) => waiter.request),
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

/** Takes up to MAX_BATCH waiters with distinct keys off the queue, in arrival order. */
function takeBatch(waiting: Waiter[]): Waiter[] {
  const keys = new Set<string>();
  const batch: Waiter[] = [];
  for (let i = 0; i < waiting.length && batch.length < MAX_BATCH; ) {
    const waiter = waiting[i];
    if (waiter && !keys.has(waiter.request.idempotencyKey)) {
      keys.add(waiter.request.idempotencyKey);
      batch.push(waiter);
      waiting.splice(i, 1);
    } else i++;
  }
  return batch;
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
