/**
 * Jobs of a dead worker run again within seconds, not hours.
 *
 * graphile-worker locks a job with the id of the worker running it and only takes the lock
 * back after 4 hours (its resetLockedAt): a worker process killed mid-job (kill -9, an OOM, a
 * lost host) leaves its jobs locked, and their mail unsent, for that long. Its
 * `force_unlock_workers(ids)` is the documented way out, but only for ids known to be dead.
 *
 * Liveness is what PostgreSQL already knows: every worker of this process holds a session
 * advisory lock keyed by its worker id, on one connection kept for the purpose. The session
 * ends when the process dies, however it dies, and the lock with it. Every few seconds a live
 * worker process looks at the ids holding jobs; one whose lock it can take is dead, and its
 * jobs are unlocked for any worker to run (attempts are kept, so max_attempts still bounds
 * them). A job locked within the last LIVENESS_GRACE_MS is left alone: its worker may not
 * have taken its lock yet.
 *
 * Needs a session-mode connection (a direct one, or PgBouncer in session mode): behind a
 * transaction-mode pooler the lock would not outlive its statement, and every worker would
 * look dead (docs/decisions/0013-scaling-out.md). Jobs stay at-least-once: a job whose effect
 * happened just before the kill, but whose completion was not written, runs again.
 */
import type pg from 'pg';
import type { Logger } from '../lib/logger';

/** How often a live worker process looks for dead workers' jobs. */
export const LIVENESS_SWEEP_INTERVAL_MS = 2_000;
/** A lock younger than this is never taken back: its worker may still be claiming its id. */
export const LIVENESS_GRACE_MS = 3_000;

/** The advisory lock key of a worker id, in its own namespace of the bigint key space. */
const LOCK_KEY = `hashtextextended('tollbooth.job-worker:' || $1::text, 0)`;

export interface WorkerLiveness {
  /** This process runs worker `workerId`: hold its lock while it lives. */
  claim(workerId: string): Promise<void>;
  /** Worker `workerId` stopped: let its lock go. */
  release(workerId: string): Promise<void>;
  /** Unlocks the jobs of dead workers now; answers their ids. */
  sweep(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface WorkerLivenessOptions {
  pool: pg.Pool;
  logger: Logger;
  /** 0: no timer (tests call sweep()). */
  intervalMs?: number;
  graceMs?: number;
}

export function startWorkerLiveness(options: WorkerLivenessOptions): WorkerLiveness {
  const { pool, logger } = options;
  const graceMs = options.graceMs ?? LIVENESS_GRACE_MS;
  const own = new Set<string>();
  let session: pg.PoolClient | undefined;
  let connecting: Promise<pg.PoolClient> | undefined;
  let stopped = false;

  /** The lock-holding connection; after a lost one (a database restart), a new one re-claims. */
  const holder = async (): Promise<pg.PoolClient> => {
    if (session) return session;
    connecting ??= (async () => {
      const client = await pool.connect();
      client.on('error', (error) => {
        logger.warn({ err: error }, 'the worker liveness connection failed');
        if (session === client) session = undefined;
        client.release(true);
      });
      try {
        for (const id of own) await client.query(`select pg_advisory_lock(${LOCK_KEY})`, [id]);
      } catch (error) {
        client.release(true);
        throw error;
      }
      session = client;
      return client;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const sweep = async (): Promise<string[]> => {
    // Without our own locks held we could mistake this process's workers for dead ones.
    const client = await holder();
    const { rows } = await pool.query<{ locked_by: string }>(
      `select locked_by from graphile_worker._private_jobs
        where locked_by is not null and locked_at < now() - make_interval(secs => $1)
       union
       select locked_by from graphile_worker._private_job_queues
        where locked_by is not null and locked_at < now() - make_interval(secs => $1)`,
      [graceMs / 1_000],
    );
    const dead: string[] = [];
    for (const { locked_by: id } of rows) {
      if (own.has(id)) continue;
      const taken = await client.query<{ free: boolean }>(
        `select pg_try_advisory_lock(${LOCK_KEY}) as free`,
        [id],
      );
      if (!taken.rows[0]?.free) continue;
      await client.query(`select pg_advisory_unlock(${LOCK_KEY})`, [id]);
      dead.push(id);
    }
    if (dead.length > 0) {
      await pool.query('select graphile_worker.force_unlock_workers($1::text[])', [dead]);
      logger.warn({ workerIds: dead }, 'unlocked the jobs of dead job workers');
    }
    return dead;
  };

  let sweeping = false;
  const timer =
    (options.intervalMs ?? LIVENESS_SWEEP_INTERVAL_MS) > 0
      ? setInterval(() => {
          if (sweeping || stopped) return;
          sweeping = true;
          sweep()
            .catch((error: unknown) =>
              // The database is away (a restart): the next sweep tries again.
              logger.debug({ err: error }, 'worker liveness sweep failed'),
            )
            .finally(() => {
              sweeping = false;
            });
        }, options.intervalMs ?? LIVENESS_SWEEP_INTERVAL_MS)
      : undefined;
  timer?.unref();

  return {
    async claim(workerId) {
      own.add(workerId);
      // A new session takes every claimed id's lock itself, this one included.
      if (session) await session.query(`select pg_advisory_lock(${LOCK_KEY})`, [workerId]);
      else await holder();
    },
    async release(workerId) {
      if (!own.delete(workerId)) return;
      await session?.query(`select pg_advisory_unlock(${LOCK_KEY})`, [workerId]).catch(() => {});
    },
    sweep,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      // Ending the session lets every lock go at once.
      session?.release(true);
      session = undefined;
    },
  };
}
