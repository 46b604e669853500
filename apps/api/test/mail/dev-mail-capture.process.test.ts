/**
 * Without SMTP_URL, mail is captured instead of sent. Printing it (subjects, links, codes) is
 * for a developer's terminal only: on a platform that starts `pnpm start` without NODE_ENV,
 * stdout is a log shipped elsewhere, and a printed login code there is a live credential.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@tollbooth/db/testing';
import { createTestDatabase } from '@tollbooth/db/vitest';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../support/server-process';

/** Asks for a login code and returns once its mail job has run and its output is in. */
async function requestLoginCode(server: ServerProcess, port: number, databaseUrl: string) {
  const email = `code-${randomUUID().slice(0, 8)}@example.test`;
  const response = await fetch(`http://127.0.0.1:${port}/trpc/auth.requestLoginCode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  expect(response.status).toBe(200);
  await waitForMailJob(databaseUrl, email);
  // Anything the job printed was written before this request's log line: wait for that line.
  const marker = `/after-mail-${randomUUID()}`;
  await fetch(`http://127.0.0.1:${port}${marker}`);
  await server.waitForStdout(marker);
  return email;
}

/** The job issues the code (a row) and then sends it; done once no job is left. */
async function waitForMailJob(databaseUrl: string, email: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await client.query<{ issued: boolean; pending: boolean }>(
        `select exists (select 1 from one_time_secrets where email = $1) as issued,
                exists (select 1 from graphile_worker._private_jobs) as pending`,
        [email],
      );
      if (rows[0]?.issued && !rows[0].pending) return;
      if (Date.now() > deadline) throw new Error('the login-code job did not finish');
      await sleep(50);
    }
  } finally {
    await client.end();
  }
}

async function start(env: Record<string, string>) {
  const databaseUrl = await createTestDatabase();
  const port = await freePort();
  const server = await startServerProcess({
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    LOG_LEVEL: 'info',
    PASSWORD_HASHER: 'inline',
    WORKER_IN_PROCESS: 'true',
    ...env,
  });
  return { server, port, databaseUrl };
}

describe('captured mail on stdout', () => {
  it('is never printed when NODE_ENV is unset on a platform (RENDER=true), and says mail is not delivered', async () => {
    const { server, port, databaseUrl } = await start({ RENDER: 'true' });

    const email = await requestLoginCode(server, port, databaseUrl);

    const stdout = server.stdout();
    expect(stdout).not.toContain('[mail]');
    expect(stdout).not.toContain(email);
    expect(stdout).not.toMatch(/sign-in code/i);
    expect(stdout.match(/mail is not delivered/g)).toHaveLength(1);
  }, 60_000);

  it('prints the code when NODE_ENV=development is explicit', async () => {
    const { server, port, databaseUrl } = await start({ NODE_ENV: 'development' });

    const email = await requestLoginCode(server, port, databaseUrl);

    expect(server.stdout()).toMatch(
      new RegExp(`\\[mail\\] to ${email}: Your Tollbooth sign-in code\\n {2}\\d{6}\\n`),
    );
    expect(server.stdout()).not.toMatch(/mail is not delivered/);
  }, 60_000);
});
