/**
 * What the tests of the user's billing journey share: the app on its own database, an
 * in-process Stripe emulator on the same manual time as the app, the default catalog synced
 * into it, signed-in customers, and a browser's way through the emulator's hosted pages.
 * With `webhooks: true` the app also listens on a real port and the emulator delivers its
 * signed webhooks there, as Stripe would.
 */
import {
  createManualClock as createEmulatorClock,
  startStripeEmulator,
} from '@tollbooth/stripe-emulator';
import Stripe from 'stripe';
import { afterAll, expect } from 'vitest';
import { seedDefaultCatalog } from '../../src/billing/catalog/default-catalog';
import { listen } from '../../src/http-server';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp, type TestApp } from '../harness';
import { registerAccount } from '../support/accounts';
import { startFaultProxy, stripeEnv } from './billing-testing';

/** One start for both clocks, so Stripe's periods and the app's "now" agree. */
export const JOURNEY_START = new Date('2026-03-01T12:00:00Z');

export const APP_URL = 'https://app.tollbooth.test';
export const OTHER_ALLOWED_ORIGIN = 'https://admin.tollbooth.test';

export async function createJourneyApp(
  options: { webhooks?: boolean; env?: Record<string, string>; proxy?: boolean } = {},
) {
  const clock = createManualClock(JOURNEY_START);
  const emulator = await startStripeEmulator({
    clock: createEmulatorClock(JOURNEY_START.getTime() / 1000),
    webhooks: { retryDelaysMs: [20, 50, 100] },
  });
  afterAll(() => emulator.stop());
  // The app may reach Stripe through a proxy that fails on demand; the test's SDK never does.
  const proxy = options.proxy ? await startFaultProxy(emulator.url) : undefined;
  const t = await createTestApp({
    clock,
    env: {
      ...stripeEnv(emulator, proxy?.url ?? emulator.url),
      APP_URL,
      ALLOWED_ORIGINS: `${APP_URL},${OTHER_ALLOWED_ORIGIN}`,
      ...options.env,
    },
  });
  if (options.webhooks) {
    const server = await listen(t.app, { port: 0, host: '127.0.0.1' });
    afterAll(() => server.close(1_000));
    emulator.webhooks.addEndpoint(`${server.url}/webhooks/stripe`);
  }
  await seedDefaultCatalog(t.deps.db, { stripeConfigured: true });
  await t.drainJobs();
  const stripe = new Stripe(emulator.secretKey, { ...emulator.stripeConfig, maxNetworkRetries: 0 });

  return {
    t,
    emulator,
    proxy,
    /** The test's own view of Stripe, straight to the emulator. */
    stripe,
    /** Moves Stripe's time and the app's together, then waits for the webhooks it caused. */
    async advance(seconds: number) {
      emulator.clock.advance(seconds);
      clock.advance(seconds * 1000);
      await emulator.webhooks.settled();
      await t.drainJobs();
    },
    /** Every webhook delivered and every job it queued run. */
    async settle() {
      await emulator.webhooks.settled();
      await t.drainJobs();
    },
  };
}

export type JourneyApp = Awaited<ReturnType<typeof createJourneyApp>>;

/** The `exp` of an access token (seconds), read without verifying: the test made it. */
function expiresAt(accessToken: string): number {
  const payload = accessToken.split('.')[1] ?? '';
  const exp: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).exp;
  return typeof exp === 'number' ? exp : 0;
}

/**
 * A registered user and their unbatched client (errors arrive one per call). The client
 * signs in again when the app's clock has moved past the access token (tests advance time by
 * months), as a frontend would after its session ran out.
 */
export async function signUpCustomer(t: TestApp, options: { name?: string } = {}) {
  const account = await registerAccount(t, options);
  let accessToken = account.accessToken;
  const signedInFetch: typeof t.fetch = async (input, init) => {
    if (expiresAt(accessToken) * 1000 <= t.clock.now().getTime()) {
      const login = await t
        .client()
        .auth.login.mutate({ email: account.email, password: account.password });
      accessToken = login.accessToken;
    }
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${accessToken}`);
    return t.fetch(input, { ...init, headers });
  };
  return { account, client: t.client({ batch: false, fetch: signedInFetch }) };
}

/** The `<form method="post">` of a hosted page as a browser would submit it by its `value` button. */
function readForm(html: string, button: string): URLSearchParams {
  const form = /<form method="post"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error(`no form on the page:\n${html}`);
  const fields = new URLSearchParams();
  for (const [input] of form.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(input)?.[1];
    const value = /value="([^"]*)"/.exec(input)?.[1] ?? '';
    const isChoice = /type="(radio|checkbox)"/.test(input);
    if (name && (!isChoice || /\schecked/.test(input))) fields.set(name, value);
  }
  const submit = [...form.matchAll(/<button name="([^"]+)" value="([^"]+)"/g)].find(
    (match) => match[2] === button,
  );
  if (!submit?.[1] || !submit[2]) throw new Error(`no ${button} button on the page`);
  fields.set(submit[1], submit[2]);
  return fields;
}

/**
 * Pays a checkout as a person would: GET the hosted page, fill in its form (the default test
 * card unless told) and POST it; answers the redirect Stripe sends the browser to.
 */
export async function payOnHostedPage(
  url: string,
  fill: Record<string, string> = {},
): Promise<{ status: number; location: string | null }> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const fields = readForm(await page.text(), 'pay');
  for (const [name, value] of Object.entries(fill)) fields.set(name, value);
  const response = await fetch(url, { method: 'POST', body: fields, redirect: 'manual' });
  await response.arrayBuffer();
  return { status: response.status, location: response.headers.get('location') };
}

/** Creates a checkout for `plan` and pays it on the hosted page; returns the session id. */
export async function subscribe(
  client: Awaited<ReturnType<typeof signUpCustomer>>['client'],
  plan: string,
): Promise<string> {
  const checkout = await client.billing.checkout.create.mutate({ plan });
  const paid = await payOnHostedPage(checkout.url);
  expect(paid.status).toBe(303);
  return checkout.sessionId;
}

/** The user's Stripe customer id, as stored on their row. */
export async function customerIdOf(t: TestApp, userId: string): Promise<string> {
  const row = await t.deps.db
    .selectFrom('users')
    .select('stripe_customer_id')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  if (!row.stripe_customer_id) throw new Error('the user has no Stripe customer');
  return row.stripe_customer_id;
}
