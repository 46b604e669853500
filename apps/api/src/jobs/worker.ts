/**
 * Running the job queue: a long-lived runner (in-process in `pnpm dev`, its own process in
 * production via `pnpm worker`), a one-shot drain for tests and scripts, and the schema
 * installer. graphile-worker keeps its tables in the `graphile_worker` schema and migrates
 * them itself; we run that next to our own migrations.
 */
import { EventEmitter } from 'node:events';
import { setTimeout } from 'node:timers/promises';
import {
  run,
  runMigrations,
  runOnce,
  type WorkerEvents,
  Logger as WorkerLogger,
} from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../lib/logger';
import { createTaskList, type TaskDeps } from './tasks';
import { startWorkerLiveness } from './worker-liveness';

/**
 * Expired one-time secrets and rate-limit rows go once an hour; billing reconciliation
 * (missed Stripe events, subscriptions past their period) runs hourly too, at another minute.
 */
export const CRONTAB = ['17 * * * * cleanup_auth_rows', '41 * * * * billing_reconcile'].join('\n');

/** Two cores: a couple of concurrent mail sends keep SMTP latency off the critical path. */
const WORKER_CONCURRENCY = 2;

/**
 * New jobs normally arrive by LISTEN/NOTIFY at once; the poll is what finds them when that
 * connection is gone. After a database restart graphile-worker reconnects LISTEN with
 * exponential backoff (136 ms, 370 ms, 1 s, 2.7 s, 7.4 s … up to 60 s), so a few seconds of
 * downtime can leave it deaf for 7 s more; polling every 2 s keeps "jobs run again within
 * 5 s of the database's return" (test/resilience/worker-restart.test.ts, which fails with a
 * 60 s poll). Behind a transaction-mode pooler, where LISTEN does not work, the poll is all
 * there is (docs/decisions/0013-scaling-out.md).
 */
const WORKER_POLL_INTERVAL_MS = 2_000;

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    // graphile-worker attaches the whole job (payload included) to its lines: keep the
    // identifying fields only, so addresses in payloads stay out of the log.
    const { job, ...rest } = meta ?? {};
    const jobFields =
      typeof job === 'object' && job !== null && 'id' in job
        ? {
            jobId: String(job.id),
            task: 'task_identifier' in job ? job.task_identifier : undefined,
          }
        : {};
    const line = {
      scope: scope.taskIdentifier ?? scope.label,
      jobId: scope.jobId,
      ...rest,
      ...jobFields,
    };
    if (level === 'error') logger.error(line, message);
    else if (level === 'warning') logger.warn(line, message);
    else if (level === 'info') logger.info(line, message);
    else logger.debug(line, message);
  });
}

export type WorkerDeps = TaskDeps & { pool: pg.Pool };

const guardedPools = new WeakSet<pg.Pool>();

/**
 * A pooled client that loses its connection emits 'error'; unhandled, that crashes the
 * process. The worker holds clients for long (LISTEN), so it insists on handlers: add them
 * once per pool.
 */
function guardPool(pool: pg.Pool, logger: Logger): pg.Pool {
  if (guardedPools.has(pool)) return pool;
  guardedPools.add(pool);
  if (pool.listenerCount('error') === 0) {
    pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
  }
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'database connection failed'));
  });
  return pool;
}

export async function installJobQueue(pool: pg.Pool, logger: Logger): Promise<void> {
  await runMigrations({ pgPool: guardPool(pool, logger), logger: workerLogger(logger) });
}

export interface RunningWorker {
  stop(): Promise<void>;
}

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  // Each worker holds a lock while it lives, so a killed one's jobs are retried in seconds
  // rather than after graphile-worker's 4 hours (worker-liveness.ts).
  const liveness = startWorkerLiveness({ pool: deps.pool, logger: deps.logger });
  const events: WorkerEvents = new EventEmitter();
  events.on('worker:create', ({ worker }) => {
    liveness.claim(worker.workerId).catch((error: unknown) => {
      deps.logger.warn({ err: error, workerId: worker.workerId }, 'could not claim a worker id');
    });
  });
  events.on('worker:stop', ({ worker }) => void liveness.release(worker.workerId));
  const runner = await run({
    pgPool: guardPool(deps.pool, deps.logger),
    events,
    taskList: createTaskList(deps),
    crontab: CRONTAB,
    concurrency: WORKER_CONCURRENCY,
    pollInterval: WORKER_POLL_INTERVAL_MS,
    noHandleSignals: true,
    logger: workerLogger(deps.logger),
  });
  return {
    async stop() {
      await runner.stop();
      await liveness.stop();
    },
  };
}

/** A drain that still sees locked jobs after this long has lost a job, not a race. */
const DRAIN_SETTLE_TIMEOUT_MS = 10_000;
const DRAIN_SETTLE_POLL_MS = 10;

/**
 * graphile-worker does not await a job's final write (complete or fail) before `runOnce`
 * resolves, so the queue can still show a finished job as locked, without its error, for a
 * moment afterwards. Wait until no job is locked: the queue as the run left it.
 */
async function waitUntilNoJobIsLocked(pool: pg.Pool): Promise<void> {
  const deadline = Date.now() + DRAIN_SETTLE_TIMEOUT_MS;
  for (;;) {
    const { rows } = await pool.query<{ locked: boolean }>(
      'select exists (select 1 from graphile_worker._private_jobs where locked_at is not null) as locked',
    );
    if (!rows[0]?.locked) return;
    if (Date.now() > deadline) {
      throw new Error(`jobs were still locked ${DRAIN_SETTLE_TIMEOUT_MS} ms after the drain`);
    }
    await setTimeout(DRAIN_SETTLE_POLL_MS);
  }
}

/** Runs every job that is due now, then returns: tests call this instead of waiting. */
export async function drainJobs(deps: WorkerDeps): Promise<void> {
  await runOnce({
    pgPool: guardPool(deps.pool, deps.logger),
    taskList: createTaskList(deps),
    logger: workerLogger(deps.logger),
    // A drain is a library call: the caller owns the process's signals.
    noHandleSignals: true,
  });
  await waitUntilNoJobIsLocked(deps.pool);
}
