/**
 * Where every debit of a process meets first (with CREDITS_GROUP_COMMIT): the first one runs
 * at once; those arriving while the lane's transaction is open wait, and the next transaction
 * takes them all, whatever their accounts (debit-batch.ts, `skip`). No timer: a lone debit
 * never waits, and the more arrive together, the larger the batch — one flush and a few round
 * trips for all of them, where each alone would pay five and a flush.
 *
 * The lane never waits on an account: its transaction takes only the balance rows and keys
 * that are free, and hands the others to their account's queue (debit-queue.ts), which waits
 * for them as a lone debit would — behind another process's batch, a hot account's traffic
 * from another process, a retry of the same key elsewhere, or a stuck lock (where the
 * statement bound answers it). An account whose queue runs gets its next debits there
 * straight away, so a hot account's debits keep coalescing in its own queue.
 *
 * When the database fails the lane's transaction as unavailable (a restart, a lost server, a
 * statement cancelled at the bound while the database is slow), those who queued behind it
 * get its 503 now rather than one bound after another: nothing of theirs ran, and their keys
 * make the retry safe.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps';
import { databaseFailure } from '../../errors/database-unavailable';
import { type CreditResult, isUniqueViolation } from '../ledger/entry-view';
import type { DebitRequest } from './debit';
import { type DebitOutcome, debitBatch } from './debit-batch';
import { accountQueueRuns, queueForAccount } from './debit-queue';
import { takeBatch, type Waiter } from './debit-waiters';

type DebitDeps = Pick<Deps, 'db' | 'clock' | 'config'>;
type Alone = (request: DebitRequest) => Promise<CreditResult>;

interface Lane {
  waiting: Waiter[];
  draining: boolean;
}

/** Per database: a test process runs several apps. */
const lanes = new WeakMap<Kysely<Database>, Lane>();

export function queueDebit(
  deps: DebitDeps,
  request: DebitRequest,
  alone: Alone,
): Promise<CreditResult> {
  let lane = lanes.get(deps.db);
  if (!lane) {
    lane = { waiting: [], draining: false };
    lanes.set(deps.db, lane);
  }
  const result = new Promise<CreditResult>((resolve, reject) => {
    const waiter: Waiter = {
      request,
      settle: (outcome) => (outcome.ok ? resolve(outcome.result) : reject(outcome.error)),
    };
    if (accountQueueRuns(deps.db, request.userId)) queueForAccount(deps, waiter, alone);
    else lane.waiting.push(waiter);
  });
  if (!lane.draining && lane.waiting.length > 0) void drain(deps, lane, alone);
  return result;
}

async function drain(deps: DebitDeps, lane: Lane, alone: Alone): Promise<void> {
  lane.draining = true;
  try {
    while (lane.waiting.length > 0) {
      const batch = takeBatch(lane.waiting).filter((waiter) => {
        // Its account's queue started while it waited here: it joins it, behind the others.
        if (!accountQueueRuns(deps.db, waiter.request.userId)) return true;
        queueForAccount(deps, waiter, alone);
        return false;
      });
      if (batch.length === 0) continue;
      const failure = await runBatch(deps, batch, alone);
      if (failure && databaseFailure(failure.error)) {
        for (const waiter of lane.waiting.splice(0)) waiter.settle(failure);
      }
    }
  } finally {
    lane.draining = false;
  }
}

/** Settles or hands over every waiter of the batch; the failure when it failed as a whole. */
async function runBatch(
  deps: DebitDeps,
  batch: Waiter[],
  alone: Alone,
): Promise<Extract<DebitOutcome, { ok: false }> | undefined> {
  try {
    const { outcomes } = await debitBatch(
      deps,
      batch.map((waiter) => waiter.request),
      'skip',
    );
    batch.forEach((waiter, i) => {
      const outcome = outcomes[i];
      if (outcome) waiter.settle(outcome);
      else queueForAccount(deps, waiter, alone);
    });
    return undefined;
  } catch (error) {
    // Nothing of the batch was written. A key taken by a writer without the key lock: each
    // debit gets its own answer on its account's path. Any other error is every debit's.
    if (isUniqueViolation(error, 'credit_ledger_idempotency_key')) {
      for (const waiter of batch) queueForAccount(deps, waiter, alone);
      return undefined;
    }
    const failure = { ok: false as const, error };
    for (const waiter of batch) waiter.settle(failure);
    return failure;
  }
}
