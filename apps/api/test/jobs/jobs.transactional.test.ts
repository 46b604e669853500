import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/jobs/queue';
import { createTestApp } from '../harness';
import { failure, newEmail, registerAccount } from '../support/accounts';
import { startTestSmtp } from '../support/smtp';

async function queuedJobs(t: Awaited<ReturnType<typeof createTestApp>>) {
  const { rows } = await sql<{
    task_identifier: string;
    attempts: number;
    last_error: string | null;
    run_at: Date;
    payload: unknown;
  }>`select tasks.identifier as task_identifier, jobs.attempts, jobs.last_error, jobs.run_at, jobs.payload
      from graphile_worker._private_jobs jobs
      join graphile_worker._private_tasks tasks on tasks.id = jobs.task_id
      order by jobs.id`.execute(t.deps.db);
  return rows;
}

describe('the job queue', () => {
  it('runs a job enqueued in a transaction that committed, and sends its mail over SMTP', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    const { email } = await registerAccount(t);

    expect((await queuedJobs(t)).map((job) => job.task_identifier)).toEqual([
      'send_email_verification',
    ]);
    expect(smtp.to(email)).toHaveLength(0);

    await t.drainJobs();

    expect(smtp.to(email)).toHaveLength(1);
    expect(await queuedJobs(t)).toEqual([]);
  });

  it('never runs a job whose transaction rolled back', async () => {
    const t = await createTestApp();

    await expect(
      t.deps.db.transaction().execute(async (trx) => {
        await enqueueJob(trx, 'send_login_code', { email: newEmail() });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    expect(await queuedJobs(t)).toEqual([]);
  });

  it('enqueues no mail for a registration that failed (email taken)', async () => {
    const t = await createTestApp();
    const { email } = await registerAccount(t);
    await t.drainJobs();

    const taken = await failure(
      t.client().auth.register.mutate({ email, password: 'another password 1' }),
    );

    expect(taken.appCode).toBe('EMAIL_TAKEN');
    expect(await queuedJobs(t)).toEqual([]);
  });

  it('keeps secrets out of job payloads (the job creates them when it runs)', async () => {
    const t = await createTestApp();
    const email = newEmail();
    await t.client().auth.requestMagicLink.mutate({ email });
    await t.client().auth.requestLoginCode.mutate({ email });

    const jobs = await queuedJobs(t);

    expect(jobs.map((job) => job.payload)).toEqual([{ email }, { email }]);
  });

  it('retries a job whose mail could not be sent, with backoff, instead of losing it', async () => {
    // Port 1 on loopback refuses connections: the SMTP send fails.
    const t = await createTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:1' } });
    await t.client().auth.requestPasswordReset.mutate({ email: newEmail() });
    await registerAccount(t);
    const before = await sql<{ now: Date }>`select now() as now`.execute(t.deps.db);

    await t.drainJobs();

    const jobs = await queuedJobs(t);
    const failed = jobs.find((job) => job.task_identifier === 'send_email_verification');
    expect(failed?.attempts).toBe(1);
    expect(failed?.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(failed?.run_at.getTime()).toBeGreaterThan(before.rows[0]?.now.getTime() ?? 0);
    // The reset for an unknown address had nothing to send and succeeded.
    expect(jobs.map((job) => job.task_identifier)).not.toContain('send_password_reset');
  });

  it("logs each job by id and task, without its payload's addresses", async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url, LOG_LEVEL: 'debug' } });
    const email = newEmail('private');
    await t.client().auth.requestMagicLink.mutate({ email });

    await t.drainJobs();

    const workerLines = t.logs.entries().filter((line) => line.scope !== undefined);
    expect(workerLines.some((line) => line.task === 'send_magic_link')).toBe(true);
    expect(t.logs.lines.join('\n')).not.toContain(email);
  });
});
