/**
 * The integration harness: the whole app, in-process, on its own migrated database, with a
 * controllable clock and captured log lines. Tests drive it through `app.request()` or a real
 * tRPC client whose fetch is bound to it, never a mocked router.
 */
import { Writable } from 'node:stream';
import { createTestDatabase } from '@tollbooth/db/vitest';
import { createTRPCClient, httpBatchLink, httpLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { afterAll } from 'vitest';
import { z } from 'zod';
import { createApp } from '../src/app';
import type { PasswordHasher } from '../src/auth/passwords/passwords';
import { parseConfig } from '../src/config';
import { createDeps } from '../src/deps';
import { MAX_TRPC_BATCH_CALLS } from '../src/http/middleware/trpc-request-guards';
import { drainJobs, installJobQueue } from '../src/jobs/worker';
import { createManualClock, type ManualClock } from '../src/lib/clock';
import { createLogger } from '../src/lib/logger';
import type { AppRouter } from '../src/trpc/root';

export interface LogCapture {
  lines: string[];
  /** Every captured line parsed as JSON. */
  entries(): Array<Record<string, unknown>>;
}

function captureLogs(): { stream: Writable; capture: LogCapture } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return {
    stream,
    capture: { lines, entries: () => lines.map((line) => JSON.parse(line)) },
  };
}

export interface TestAppOptions {
  /** Environment variables on top of the test defaults. */
  env?: Record<string, string>;
  /** A manual clock shared with the test; the harness makes one when none is given. */
  clock?: ManualClock;
  router?: AnyTRPCRouter;
  /** Use this database instead of a fresh clone (e.g. a URL to a dead port). */
  databaseUrl?: string;
  /** Replaces the argon2 hasher, e.g. with one that counts verifications. */
  passwords?: PasswordHasher;
}

export async function createTestApp(options: TestAppOptions = {}) {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    DATABASE_POOL_MAX: '4',
    // Every in-process call shares the "unknown" IP: per-IP limits would trip across tests.
    // Tests of rate limiting set their own small limits.
    RATE_LIMITS: TEST_RATE_LIMITS,
    ...options.env,
  });
  const logs = captureLogs();
  const logger = createLogger({ level: config.logLevel, destination: logs.stream });
  const clock = options.clock ?? createManualClock();
  const { deps, close } = createDeps(config, { logger, clock, passwords: options.passwords });
  const app = createApp(deps, { router: options.router });
  afterAll(close);
  if (!options.databaseUrl) await ensureJobQueue(deps);

  const fetchInProcess = async (input: string | URL | Request, init?: RequestInit) =>
    app.request(input instanceof Request ? input : String(input), init);

  return {
    app,
    deps,
    config,
    clock,
    logs: logs.capture,
    close,
    fetch: fetchInProcess,
    /** Runs every job that is due (mail, cleanup) and returns when they are done. */
    drainJobs: () => drainJobs(deps),
    /** A typed tRPC client speaking the real wire protocol to the in-process app. */
    client(
      options: {
        batch?: boolean;
        headers?: Record<string, string>;
        accessToken?: string;
        /** Sends through this instead of straight to the app (e.g. to count requests). */
        fetch?: typeof fetchInProcess;
      } = {},
    ) {
      const link = options.batch === false ? httpLink : httpBatchLink;
      const headers = {
        ...options.headers,
        ...(options.accessToken && { authorization: `Bearer ${options.accessToken}` }),
      };
      return createTRPCClient<AppRouter>({
        links: [
          link({
            url: 'http://tollbooth.test/trpc',
            fetch: options.fetch ?? fetchInProcess,
            headers,
            // As the SDK does: the server refuses bigger batches (BATCH_TOO_LARGE).
            maxItems: MAX_TRPC_BATCH_CALLS,
          }),
        ],
      });
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const TEST_RATE_LIMITS = [
  'login.ip=10000/60',
  'login.account=1000/60',
  'login.account.ip=1000/60',
  'register.ip=10000/60',
  'email.ip=10000/60',
  'email.account=1000/60',
  'email.account.ip=1000/60',
  'code.ip=10000/60',
  'code.account=1000/60',
  'refresh.ip=10000/60',
  'password.account=1000/60',
  'registration.account=1000/60',
].join(',');

/**
 * The api's own global setup installs the job queue in the template database; packages that
 * use the database package's setup (the SDK's tests) get it installed here, once per file.
 */
async function ensureJobQueue(deps: Parameters<typeof drainJobs>[0]) {
  const { rows } = await deps.pool.query<{ present: boolean }>(
    "select to_regnamespace('graphile_worker') is not null as present",
  );
  if (!rows[0]?.present) await installJobQueue(deps.pool, deps.logger);
}

const ZErrorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    appCode: z.string(),
    message: z.string(),
    requestId: z.string(),
    fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

/** Reads a plain-route error body, failing the test if it is not the documented envelope. */
export async function readErrorEnvelope(response: Response) {
  return ZErrorEnvelope.parse(await response.json());
}

const ZTrpcError = z.object({
  error: z.object({
    message: z.string(),
    code: z.number(),
    data: z.looseObject({ code: z.string(), httpStatus: z.number(), appCode: z.string() }),
  }),
});

/** Reads a tRPC error body (unbatched), failing the test if it lacks code or appCode. */
export async function readTrpcError(response: Response) {
  return ZTrpcError.parse(await response.json());
}
