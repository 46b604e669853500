/**
 * The job worker across a database restart (issue 10): graphile-worker's pool loses every
 * connection, its LISTEN connection included, and must come back by itself. The worker here
 * has deps of its own (its own pool), as the `pnpm worker` process has; mail goes to a real
 * SMTP server that counts it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/deps';
import { enqueueJob } from '../../src/jobs/queue';
import { startWorker } from '../../src/jobs/worker';
import { registerAccount } from '../support/accounts';
import { startTestSmtp } from '../support/smtp';
import { createResilientApp, untilTrue } from './resilience-testing';

/** The promise: every process serves again within 5 s of the database's return. */
const RECOVERY_BOUND_MS = 5_000;
/** Long enough for the worker's poll and its LISTEN connection to fail while it is down. */
const DOWNTIME_MS = 3_000;

describe('the job worker across a database restart', () => {
  it('runs a job enqueued after the database is back within 5 s of its return, without being restarted', async () => {
    const smtp = await startTestSmtp();
    const { t, cluster } = await createResilientApp({ env: { SMTP_URL: smtp.url } });
    const worker = createDeps(t.config, { logger: t.deps.logger });
    afterAll(worker.close);
    const running = await startWorker(worker.deps);
    afterAll(() => running.stop());
    // Registering queues the verification mail: the worker is running and mails it.
    const { email } = await registerAccount(t);
    await untilTrue(async () => smtp.to(email).length === 1, 10_000, 'the first mail');

    await cluster.shutDown();
    await sleep(DOWNTIME_MS);
    await cluster.startUp();
    const back = performance.now();
    await untilTrue(
      async () => {
        await enqueueJob(t.deps.db, 'send_password_reset', { email });
        return true;
      },
      RECOVERY_BOUND_MS,
      'enqueue after the restart',
    );
    await untilTrue(
      async () => smtp.to(email).length === 2,
      RECOVERY_BOUND_MS,
      'the mail of a job enqueued after the restart',
    );

    expect(performance.now() - back).toBeLessThan(RECOVERY_BOUND_MS);
    expect(smtp.to(email).map((mail) => mail.subject)).toEqual([
      expect.stringMatching(/verify|confirm/i),
      expect.stringMatching(/reset/i),
    ]);
  });
});
