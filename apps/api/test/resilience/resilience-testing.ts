/**
 * What the database-resilience tests share: the app in-process on a PostgreSQL of its own
 * that a test can shut down and start again (a restart, as a deployed app sees one), small
 * timeouts so a bound is seconds rather than minutes, and measured calls that fail the test
 * themselves when an answer does not come within a bound: a hang is a finding, not a
 * test-runner timeout.
 */
import { randomUUID } from 'node:crypto';
import {
  createTemplateDatabase,
  type RestartableCluster,
  startRestartableCluster,
} from '@tollbooth/db/testing';
import pg from 'pg';
import { afterAll, expect } from 'vitest';
import { installJobQueue } from '../../src/jobs/worker';
import { createLogger } from '../../src/lib/logger';
import { createTestApp, type TestApp, type TestAppOptions } from '../harness';

/** A request waits this long for a connection before it answers 503. */
export const CONNECT_TIMEOUT_MS = 1_000;
/** The server cancels a statement (a lock wait included) after this long. */
export const STATEMENT_TIMEOUT_MS = 2_000;
/**
 * What a bounded answer may take beyond its configured timeout: two shared cores, other
 * test files and the embedded cluster all compete for the CPU.
 */
export const SCHEDULING_SLACK_MS = 1_500;

export const RESILIENCE_ENV = {
  DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
  DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
};

/** A migrated database with the job queue, alone on a cluster the test may restart. */
export async function startOwnDatabase(): Promise<{ cluster: RestartableCluster; url: string }> {
  const cluster = await startRestartableCluster();
  // Registered before any app's close: after-hooks run last-registered first.
  afterAll(() => cluster.stop());
  const server = { adminUrl: cluster.url(), prefix: `rs_${randomUUID().slice(0, 8)}` };
  const database = await createTemplateDatabase(server);
  const url = cluster.url(database);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await installJobQueue(pool, createLogger({ level: 'warn' }));
  } finally {
    await pool.end();
  }
  return { cluster, url };
}

/** The app on its own restartable database, with the resilience timeouts. */
export async function createResilientApp(options: Omit<TestAppOptions, 'databaseUrl'> = {}) {
  const { cluster, url } = await startOwnDatabase();
  const t = await createTestApp({
    ...options,
    databaseUrl: url,
    env: { ...RESILIENCE_ENV, ...options.env },
  });
  return { t, cluster };
}

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
  ms: number;
}

/**
 * One HTTP request to the in-process app, measured. It fails the test when no answer came
 * within `boundMs`, so a missing timeout shows as "hung" instead of a runner timeout.
 */
export async function request(
  t: TestApp,
  path: string,
  init: RequestInit & { boundMs: number },
): Promise<Answer> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${init.method ?? 'GET'} ${path} hung past ${init.boundMs} ms`)),
      init.boundMs,
    );
  });
  try {
    const response = await Promise.race([t.app.request(path, init), deadline]);
    const text = await Promise.race([response.text(), deadline]);
    return {
      status: response.status,
      text,
      body: text ? JSON.parse(text) : null,
      headers: response.headers,
      ms: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A tRPC call over the wire format, unbatched (so each answer keeps its own status). */
export function procedure(
  t: TestApp,
  name: string,
  options: { input?: unknown; token?: string; mutation?: boolean; boundMs: number },
): Promise<Answer> {
  const headers: Record<string, string> = options.token
    ? { authorization: `Bearer ${options.token}` }
    : {};
  if (options.mutation) {
    return request(t, `/trpc/${name}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(options.input ?? null),
      boundMs: options.boundMs,
    });
  }
  const query =
    options.input === undefined
      ? ''
      : `?input=${encodeURIComponent(JSON.stringify(options.input))}`;
  return request(t, `/trpc/${name}${query}`, { headers, boundMs: options.boundMs });
}

/**
 * The documented outage answer: 503, SERVICE_UNAVAILABLE on `/trpc` (error.data) and on
 * plain routes (the envelope), a Retry-After, and nothing of the cause in the body (no
 * stack, no socket or SQLSTATE text, no SQL).
 */
export function expectServiceUnavailable(answer: Answer) {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('retry-after')).toBe('1');
  const appCode = JSON.stringify(answer.body).match(/"appCode":"([A-Z_]+)"/)?.[1];
  expect(appCode).toBe('SERVICE_UNAVAILABLE');
  expect(answer.text).not.toMatch(
    /stack|ECONNREFUSED|57P0|57014|terminat|statement timeout|select |from |\.ts:/i,
  );
}

/** Calls `attempt` every 50 ms until it returns true; answers how long that took, or throws. */
export async function untilTrue(
  attempt: () => Promise<boolean>,
  boundMs: number,
  what: string,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await attempt().catch(() => false)) return performance.now() - started;
    if (performance.now() - started > boundMs) throw new Error(`${what}: not within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
