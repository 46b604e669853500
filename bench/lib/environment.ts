/**
 * Everything a bench run measures against: one durable embedded Postgres, the Stripe
 * emulator, the built API (apps/api/dist/server.js) and the raw Hono baseline, with the
 * settings every figure assumes. `pnpm bench` and `pnpm bench:profile` both start it here.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { freePort } from '@tollbooth/db/testing';
import { startBenchEmulator } from './emulator';
import { startBenchDatabase } from './postgres';
import { type ServerProcess, startServerProcess } from './processes';
import type { BenchContext, BenchSettings } from './suite';
import { BENCH_WEBHOOK_SECRET } from './webhooks';

/** One Ed25519 key for the API (JWT_PRIVATE_KEYS) and its public half for the baseline. */
function benchSigningKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = 'bench';
  return {
    privateJwks: JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid }] }),
    publicJwk: JSON.stringify({ ...publicKey.export({ format: 'jwk' }), kid }),
  };
}

/** Logins at full load must measure argon2 and sessions, not the rate limiter. */
const BENCH_RATE_LIMITS = 'login.ip=9999999/60,login.account=9999999/60,register.ip=9999999/60';

/** The built API every figure measures (`pnpm bench` builds it first). */
const API_ENTRY = 'apps/api/dist/server.js';

export interface BenchEnvironment {
  context: BenchContext;
  /**
   * An API process from another build of the server (`entry` relative to the repo root), on
   * the same database and settings: a before/after comparison in one run.
   */
  startApiFrom(
    entry: string,
    name: string,
    extraEnv?: Record<string, string>,
  ): Promise<ServerProcess>;
  /** Stops every process started here (the API last-started first), then the database. */
  stop(): Promise<void>;
}

export interface BenchEnvironmentOptions {
  repoRoot: string;
  settings: BenchSettings;
  /** Node flags for every API process (`--cpu-prof …` when profiling). */
  apiNodeArgs?: string[];
}

export async function startBenchEnvironment(
  options: BenchEnvironmentOptions,
): Promise<BenchEnvironment> {
  const { repoRoot, settings } = options;
  const database = await startBenchDatabase();
  const signingKey = benchSigningKey();
  const servers: ServerProcess[] = [];
  const stop = async () => {
    for (const server of servers.reverse()) await server.stop();
    await database.stop();
  };
  try {
    // The Stripe the API re-reads objects from when it applies an event.
    const emulator = await startBenchEmulator(repoRoot);
    servers.push(emulator);
    const authSecretKey = randomBytes(32).toString('base64');
    let issuer: string | undefined;
    const startApiFrom = async (
      entry: string,
      name: string,
      extraEnv: Record<string, string> = {},
    ) => {
      const port = await freePort();
      const publicUrl = `http://127.0.0.1:${port}`;
      // Every API process signs as one issuer, as instances behind one load balancer do.
      issuer ??= publicUrl;
      const server = await startServerProcess({
        name,
        args: [...(options.apiNodeArgs ?? []), entry],
        cwd: repoRoot,
        port,
        readyPath: '/healthz',
        env: {
          NODE_ENV: 'production',
          DATABASE_URL: database.url,
          PUBLIC_URL: issuer,
          APP_URL: 'http://127.0.0.1:3001',
          HOST: '127.0.0.1',
          PORT: String(port),
          LOG_LEVEL: 'info',
          DATABASE_POOL_MAX: '10',
          JWT_PRIVATE_KEYS: signingKey.privateJwks,
          AUTH_SECRET_KEY: authSecretKey,
          // Required in production; no worker runs here, so nothing is ever sent.
          SMTP_URL: 'smtp://127.0.0.1:1',
          RATE_LIMITS: BENCH_RATE_LIMITS,
          STRIPE_SECRET_KEY: emulator.secretKey,
          STRIPE_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
          STRIPE_API_URL: emulator.url,
          ...extraEnv,
        },
      });
      servers.push(server);
      return server;
    };
    const startApi = (name: string, extraEnv: Record<string, string> = {}) =>
      startApiFrom(API_ENTRY, name, extraEnv);
    const api = await startApi('api');
    const baselinePort = await freePort();
    const baseline = await startServerProcess({
      name: 'baseline',
      args: ['--import', 'tsx', 'bench/baseline-server.ts'],
      cwd: repoRoot,
      port: baselinePort,
      readyPath: '/ready',
      env: {
        DATABASE_URL: database.url,
        PORT: String(baselinePort),
        DATABASE_POOL_MAX: '10',
        BENCH_JWT_PUBLIC_JWK: signingKey.publicJwk,
        BENCH_JWT_ISSUER: api.url,
        BENCH_WEBHOOK_SECRET,
      },
    });
    servers.push(baseline);
    return {
      context: {
        repoRoot,
        settings,
        databaseUrl: database.url,
        api,
        baseline,
        emulator,
        webhookSecret: BENCH_WEBHOOK_SECRET,
        startApi,
      },
      startApiFrom,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
