/**
 * Jobs of a dead worker (jobs/worker-liveness.ts): a worker killed mid-job leaves its jobs
 * locked by its id, which graphile-worker alone would only take back after 4 hours. A live
 * worker process unlocks them once the dead worker's session lock is gone, and never touches
 * the jobs of a worker that is alive (its lock held by another session) or just started.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/jobs/queue';
import { startWorker } from '../../src/jobs/worker';
import { startWorkerLiveness } from '../../src/jobs/worker-liveness';
import { createTestApp, type TestApp } from '../harness';
import { newEmail, registerAccount } from '../support/accounts';
import { startTestSmtp } from '../support/smtp';

/** Locks the newest job as worker `workerId` would have, `agoMs` ago. */
async function lockNewestJob(t: TestApp, workerId: string, agoMs: number) {
  await sql`update graphile_worker._private_jobs
               set locked_by = ${workerId}, locked_at = now() - make_interval(secs => ${agoMs / 1_000}),
                   attempts = attempts + 1
             where id = (select max(id) from graphile_worker._private_jobs)`.execute(t.deps.db);
}

async function lockedBy(t: TestApp) {
  const { rows } = await sql<{ locked_by: string | null }>`
    select locked_by from graphile_worker._private_jobs order by id`.execute(t.deps.db);
  return rows.map((row) => row.locked_by);
}

/** Another process's live worker: its session holds the worker id's lock. */
async function liveWorkerElsewhere(t: TestApp, workerId: string) {
  const client = new pg.Client({ connectionString: t.config.databaseUrl });
  await client.connect();
  afterAll(() => client.end());
  await client.query(
    `select pg_advisory_lock(hashtextextended('tollbooth.job-worker:' || $1::text, 0))`,
    [workerId],
  );
}

function liveness(t: TestApp) {
  const running = startWorkerLiveness({ pool: t.deps.pool, logger: t.deps.logger, intervalMs: 0 });
  afterAll(() => running.stop());
  return running;
}

describe('jobs of a dead worker', () => {
  it('are unlocked by a live worker process once the dead worker’s session lock is gone', async () => {
    const t = await createTestApp();
    await enqueueJob(t.deps.db, 'send_login_code', { email: newEmail() });
    await lockNewestJob(t, 'worker-killed', 10_000);

    expect(await liveness(t).sweep()).toEqual(['worker-killed']);
    expect(await lockedBy(t)).toEqual([null]);
  });

  it('stay locked while their worker lives in another process', async () => {
    const t = await createTestApp();
    await enqueueJob(t.deps.db, 'send_login_code', { email: newEmail() });
    await lockNewestJob(t, 'worker-alive', 10_000);
    await liveWorkerElsewhere(t, 'worker-alive');

    expect(await liveness(t).sweep()).toEqual([]);
    expect(await lockedBy(t)).toEqual(['worker-alive']);
  });

  it('stay locked within the grace period of a just-started worker, and while this process claims the id', async () => {
    const t = await createTestApp();
    await enqueueJob(t.deps.db, 'send_login_code', { email: newEmail() });
    await lockNewestJob(t, 'worker-starting', 0);
    await enqueueJob(t.deps.db, 'send_login_code', { email: newEmail() });
    await lockNewestJob(t, 'worker-mine', 10_000);
    const running = liveness(t);
    await running.claim('worker-mine');

    expect(await running.sweep()).toEqual([]);
    expect(await lockedBy(t)).toEqual(['worker-starting', 'worker-mine']);
  });

  it('run again on a started worker: the mail a killed worker never sent is sent once', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    const { email } = await registerAccount(t);
    // The verification mail's job, as a worker killed while sending it left it.
    await lockNewestJob(t, 'worker-killed-mid-send', 10_000);
    const running = await startWorker(t.deps);
    afterAll(() => running.stop());

    const deadline = Date.now() + 15_000;
    while (smtp.to(email).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(smtp.to(email)).toHaveLength(1);
    expect(await lockedBy(t)).toEqual([]);
  });
});
