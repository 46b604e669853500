/**
 * `pnpm dev`: one command, zero configuration. Starts the persistent dev database under
 * `.data/postgres` (unless DATABASE_URL is set) once, migrates it, starts the Stripe emulator
 * (unless STRIPE_SECRET_KEY is set) with webhooks forwarded to the API, applies the default
 * plan catalog (synced into Stripe by the API's in-process worker), and runs the API with
 * reload on change. Postgres and the emulator outlive reloads, so a reload costs a Node
 * restart, not a cluster restart.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createDb, defaultMigrationsDir, migrate } from '@tollbooth/db';
import { startDevPostgres } from '@tollbooth/db/embedded';
import { createStripeEmulator } from '@tollbooth/stripe-emulator';
import { seedDefaultCatalog } from './billing/catalog/default-catalog';
import { parseConfigOrExit } from './config';
import { seedDefaultPacks } from './credits/packs/default-packs';
import { installJobQueue } from './jobs/worker';
import { createLogger } from './lib/logger';
import { devDataPath } from './lib/repo-root';

const apiDir = fileURLToPath(new URL('..', import.meta.url));
const STRIPE_EMULATOR_PORT = 12111;

const config = parseConfigOrExit(process.env);
const external = config.databaseUrl;
const cluster = external
  ? undefined
  : await startDevPostgres({ ...config.embeddedPostgres, callerHandlesSignals: true });
const databaseUrl = external ?? cluster?.databaseUrl;
if (!databaseUrl) throw new Error('no database');

const result = await migrate({
  connectionString: databaseUrl,
  migrationsDir: defaultMigrationsDir(),
});
console.log(
  `[dev] database ${external ? 'from DATABASE_URL' : `embedded on port ${cluster?.port} (.data/postgres)`}; ${result.applied.length} migration(s) applied`,
);

/** A local Stripe, so checkout and webhooks work offline and without a Stripe account. */
async function startStripeEmulator() {
  const emulator = createStripeEmulator({
    port: Number(process.env.STRIPE_EMULATOR_PORT ?? STRIPE_EMULATOR_PORT),
    forwardTo: `http://127.0.0.1:${config.port}/webhooks/stripe`,
    statePath: devDataPath('stripe-emulator.json'),
    tickIntervalMs: 1_000,
    log: (line) => console.log(`[stripe-emulator] ${line}`),
  });
  await emulator.start();
  console.log(`[dev] Stripe emulator on ${emulator.url} (webhooks to /webhooks/stripe)`);
  return emulator;
}

const stripe = process.env.STRIPE_SECRET_KEY ? undefined : await startStripeEmulator();
const stripeEnv = stripe
  ? {
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_API_URL: stripe.url,
    }
  : {};

/**
 * The default catalog, and a sync of every plan: the emulator's state file may be newer or
 * older than the database's, and a sync of a plan Stripe already matches changes nothing.
 */
async function seedCatalog(connectionString: string) {
  const handle = createDb({ connectionString, max: 2 });
  try {
    await installJobQueue(handle.pool, createLogger({ level: 'warn' }));
    const seeded = await seedDefaultCatalog(handle.db, { stripeConfigured: true, resync: 'all' });
    console.log(
      `[dev] catalog: ${seeded.inserted.length ? `added ${seeded.inserted.join(', ')}` : 'up to date'}; ${seeded.queuedSyncs} plan sync(s) queued for the worker`,
    );
    const packs = await seedDefaultPacks(handle.db, { stripeConfigured: true, resync: 'all' });
    console.log(`[dev] credit packs: ${packs.queuedSyncs} pack sync(s) queued for the worker`);
  } finally {
    await handle.close();
  }
}
await seedCatalog(databaseUrl);

const child = spawn(
  process.execPath,
  [
    createRequire(import.meta.url).resolve('tsx/cli'),
    'watch',
    '--clear-screen=false',
    'src/server.ts',
  ],
  {
    cwd: apiDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      // Explicit, so the server prints captured mail (codes, links) to this terminal: an
      // unset NODE_ENV never does (config.ts, printCapturedMail).
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      MIGRATE_ON_START: 'false',
      ...stripeEnv,
    },
  },
);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  await new Promise((resolve) =>
    child.exitCode === null ? child.once('exit', resolve) : resolve(null),
  );
  await stripe?.stop();
  await cluster?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
child.on('exit', (code) => void stop(code ?? 0));
