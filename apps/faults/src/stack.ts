/**
 * A scenario's deployment on this machine: one PostgreSQL, N processes of the built API
 * (apps/api/dist/server.js) on their own ports and nothing in front of them, optionally the
 * job worker (dist/worker.js) on a counting SMTP server and the Stripe emulator forwarding its
 * webhooks to every API. Every API signs as one issuer with one key, as instances behind one
 * load balancer do, so a token or key from one is good at the other.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tollbooth/db/testing';
import { type FaultDatabase, startFaultDatabase } from './database';
import { answers200, type ManagedProcess, managedProcess } from './processes';
import { type CountingSmtp, startCountingSmtp } from './smtp';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const API_ENTRY = 'apps/api/dist/server.js';
const WORKER_ENTRY = 'apps/api/dist/worker.js';

/** A request waits this long for a database connection before it answers 503. */
export const CONNECT_TIMEOUT_MS = 1_000;
/** The server cancels a statement (a lock wait included) after this long: 503. */
export const STATEMENT_TIMEOUT_MS = 2_000;

const STRIPE_SECRET_KEY = 'sk_test_emulator_faults000000000';
const STRIPE_WEBHOOK_SECRET = `whsec_faults${randomBytes(12).toString('hex')}`;

export interface ApiProcess extends ManagedProcess {
  url: string;
}

export interface Emulator {
  url: string;
  secretKey: string;
  webhookSecret: string;
  process: ManagedProcess;
}

export interface StackOptions {
  apis?: number;
  worker?: boolean;
  /** How long the SMTP server holds each message before accepting it (smtp.ts). */
  smtpAcceptDelayMs?: number;
  emulator?: boolean;
  /** Extra settings for every API and worker process. */
  env?: Record<string, string>;
}

export interface Stack {
  database: FaultDatabase;
  apis: ApiProcess[];
  worker: ManagedProcess | undefined;
  smtp: CountingSmtp | undefined;
  emulator: Emulator | undefined;
  /** What every process printed last, for a failure message. */
  diagnosis(): string;
  stop(): Promise<void>;
}

function signingKeys(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'faults' }] });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const database = await startFaultDatabase();
  const processes: ManagedProcess[] = [];
  const smtp = options.worker
    ? await startCountingSmtp({ acceptDelayMs: options.smtpAcceptDelayMs ?? 0 })
    : undefined;
  const stop = async () => {
    for (const process of [...processes].reverse()) await process.stop();
    await smtp?.close();
    await database.stop();
  };
  try {
    const apiPorts = await Promise.all(Array.from({ length: options.apis ?? 2 }, () => freePort()));
    const issuer = `http://127.0.0.1:${apiPorts[0]}`;
    const emulatorPort = options.emulator ? await freePort() : undefined;
    const emulator: Emulator | undefined =
      emulatorPort === undefined
        ? undefined
        : {
            url: `http://127.0.0.1:${emulatorPort}`,
            secretKey: STRIPE_SECRET_KEY,
            webhookSecret: STRIPE_WEBHOOK_SECRET,
            process: managedProcess({
              name: 'stripe-emulator',
              args: [
                '--import',
                'tsx',
                'packages/stripe-emulator/bin/start.ts',
                '--memory',
                '--port',
                String(emulatorPort),
                '--secret-key',
                STRIPE_SECRET_KEY,
                '--webhook-secret',
                STRIPE_WEBHOOK_SECRET,
                ...apiPorts.flatMap((port) => [
                  '--forward-to',
                  `http://127.0.0.1:${port}/webhooks/stripe`,
                ]),
              ],
              cwd: REPO_ROOT,
              env: {},
              ready: answers200(`http://127.0.0.1:${emulatorPort}/`),
            }),
          };
    if (emulator) {
      processes.push(emulator.process);
      await emulator.process.start();
    }
    const shared: Record<string, string> = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      PUBLIC_URL: issuer,
      APP_URL: 'http://127.0.0.1:3001',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_POOL_MAX: '10',
      DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      JWT_PRIVATE_KEYS: signingKeys(),
      AUTH_SECRET_KEY: randomBytes(32).toString('base64'),
      // Nothing listens on port 1: without a worker no mail is ever attempted.
      SMTP_URL: smtp?.url ?? 'smtp://127.0.0.1:1',
      // The suite signs in an admin once per scenario; argon2 in-process keeps it one process.
      PASSWORD_HASHER: 'inline',
      // The load is the point; the limiter would refuse the admin's own setup calls.
      RATE_LIMITS: 'login.ip=9999999/60,login.account=9999999/60,register.ip=9999999/60',
      ...(emulator && {
        STRIPE_SECRET_KEY: emulator.secretKey,
        STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
        STRIPE_API_URL: emulator.url,
      }),
      ...options.env,
    };
    const apis: ApiProcess[] = apiPorts.map((port, index) => {
      const url = `http://127.0.0.1:${port}`;
      const process = managedProcess({
        name: `api-${index + 1}`,
        args: [API_ENTRY],
        cwd: REPO_ROOT,
        env: { ...shared, PORT: String(port) },
        ready: answers200(`${url}/healthz`),
      });
      return Object.assign(process, { url });
    });
    // One after the other: each start installs the job queue's schema, once is enough.
    for (const api of apis) {
      processes.push(api);
      await api.start();
    }
    const worker = options.worker
      ? managedProcess({
          name: 'worker',
          args: [WORKER_ENTRY],
          cwd: REPO_ROOT,
          env: { ...shared, LOG_LEVEL: 'info' },
          ready: async (process) => process.stdout().includes('job worker started'),
        })
      : undefined;
    if (worker) {
      processes.push(worker);
      await worker.start();
    }
    return {
      database,
      apis,
      worker,
      smtp,
      emulator,
      diagnosis: () => processes.map((process) => process.diagnosis()).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
