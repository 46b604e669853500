/**
 * What the billing tests share: the app wired to an in-process Stripe emulator (the real
 * `stripe` SDK on both sides), an optional fault proxy between them, an admin caller, and
 * views of the job queue.
 */
import { once } from 'node:events';
import http from 'node:http';
import { startStripeEmulator } from '@tollbooth/stripe-emulator';
import { sql } from 'kysely';
import Stripe from 'stripe';
import { afterAll } from 'vitest';
import { createTestApp, type TestApp, type TestAppOptions } from '../harness';
import { registerAccount } from '../support/accounts';

/** Env pointing the app at a Stripe API; no SDK retries, so each failure reaches the job. */
export function stripeEnv(emulator: { secretKey: string; webhookSecret: string }, url: string) {
  return {
    STRIPE_SECRET_KEY: emulator.secretKey,
    STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
    STRIPE_API_URL: url,
    STRIPE_MAX_NETWORK_RETRIES: '0',
    STRIPE_TIMEOUT_MS: '5000',
  };
}

/** The app on its own database, talking to its own emulator (through a fault proxy if asked). */
export async function createBillingTestApp(
  options: { proxy?: boolean; env?: Record<string, string> } & Omit<TestAppOptions, 'env'> = {},
) {
  const emulator = await startStripeEmulator();
  afterAll(() => emulator.stop());
  const proxy = options.proxy ? await startFaultProxy(emulator.url) : undefined;
  const t = await createTestApp({
    ...options,
    env: { ...stripeEnv(emulator, proxy?.url ?? emulator.url), ...options.env },
  });
  // The test's own view of Stripe, straight to the emulator.
  const stripe = new Stripe(emulator.secretKey, { ...emulator.stripeConfig, maxNetworkRetries: 0 });
  return { t, emulator, stripe, proxy };
}

/** A signed-in admin's client (promoted in the database, as `pnpm admin:promote` does). */
export async function signInAdmin(t: TestApp) {
  const account = await registerAccount(t);
  await t.deps.db
    .updateTable('users')
    .set({ role: 'admin' })
    .where('id', '=', account.user.id)
    .execute();
  return { account, client: t.client({ accessToken: account.accessToken }) };
}

export async function queuedJobs(t: TestApp, task: string) {
  const { rows } = await sql<{
    key: string | null;
    attempts: number;
    last_error: string | null;
    run_at: Date;
  }>`
    select jobs.key, jobs.attempts, jobs.last_error, jobs.run_at
      from graphile_worker._private_jobs jobs
      join graphile_worker._private_tasks tasks on tasks.id = jobs.task_id
     where tasks.identifier = ${task}
     order by jobs.id`.execute(t.deps.db);
  return rows;
}

/** Skips the backoff of failed jobs: their retry is due now. */
export async function makeRetriesDue(t: TestApp): Promise<void> {
  await sql`update graphile_worker._private_jobs set run_at = now()`.execute(t.deps.db);
}

export async function allProducts(stripe: Stripe) {
  return stripe.products.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
}

export async function pricesOf(stripe: Stripe, product: string) {
  return stripe.prices.list({ product, limit: 100 }).autoPagingToArray({ limit: 1000 });
}

export interface FaultProxy {
  url: string;
  /** Every connection is cut at once, as if Stripe were unreachable. */
  setDown(down: boolean): void;
  /**
   * The next `times` matching requests reach Stripe, but their answers are lost (the socket
   * is cut). The SDK retries a cut connection once on its own, whatever maxNetworkRetries
   * says, so losing one attempt of a job takes two.
   */
  loseResponses(method: string, path: string, times: number): void;
  /** Requests that reached the emulator, as `METHOD /path`. */
  forwarded: string[];
}

/** A small HTTP proxy to the emulator that can fail the way networks fail. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let down = false;
  const losing: Array<{ method: string; path: string }> = [];
  const forwarded: string[] = [];
  const server = http.createServer(async (req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.from(chunk));
    const path = req.url ?? '/';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) {
        headers.set(name, value);
      }
    }
    const upstream = await fetch(`${target}${path}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'DELETE' ? undefined : Buffer.concat(chunks),
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    forwarded.push(`${req.method} ${path.split('?')[0]}`);
    const lose = losing.findIndex(
      (rule) => rule.method === req.method && path.startsWith(rule.path),
    );
    if (lose >= 0) {
      losing.splice(lose, 1);
      req.socket.destroy();
      return;
    }
    const outgoing: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (
        !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)
      ) {
        outgoing[name] = value;
      }
    });
    res.writeHead(upstream.status, outgoing).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the fault proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    setDown: (value) => {
      down = value;
    },
    loseResponses: (method, path, times) => {
      for (let i = 0; i < times; i++) losing.push({ method, path });
    },
    forwarded,
  };
}
