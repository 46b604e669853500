/**
 * What the webhook tests share: the app listening on a real port (the emulator delivers
 * signed webhooks over HTTP, as Stripe does), one emulator with a manual clock that the
 * app's clock follows, paid plans synced into it, and a customer's journey driven through the
 * SDK the way billing.checkout.create and the hosted pages do it.
 */
import { type ServerType, serve } from '@hono/node-server';
import {
  createManualClock as createEmulatorClock,
  type DeliverySwitches,
  type StripeEmulator,
  startStripeEmulator,
} from '@tollbooth/stripe-emulator';
import Stripe from 'stripe';
import { afterAll, expect } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp, type TestApp } from '../harness';
import { registerAccount } from '../support/accounts';
import { startTestSmtp } from '../support/smtp';
import { signInAdmin, stripeEnv } from './billing-testing';

export const DAY_SECONDS = 86_400;
/** Emulated time starts here; the app's clock is kept on it. */
export const START = new Date('2030-01-15T00:00:00Z');

export interface WebhookTestOptions {
  env?: Record<string, string>;
  /** Register the app as a webhook endpoint (off: reconciliation tests). */
  deliver?: boolean;
  switches?: Partial<DeliverySwitches>;
}

async function listen(app: TestApp['app']): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
      resolve({ server, url: `http://127.0.0.1:${info.port}` }),
    );
  });
}

export async function createWebhookTestApp(options: WebhookTestOptions = {}) {
  const emulator: StripeEmulator = await startStripeEmulator({
    clock: createEmulatorClock(START.getTime() / 1000),
    webhooks: { retryDelaysMs: [5, 5, 5, 5], switches: options.switches },
  });
  afterAll(() => emulator.stop());
  const clock = createManualClock(START);
  const smtp = await startTestSmtp();
  const t = await createTestApp({
    clock,
    env: { ...stripeEnv(emulator, emulator.url), SMTP_URL: smtp.url, ...options.env },
  });
  const { server, url } = await listen(t.app);
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  );
  const webhookUrl = `${url}/webhooks/stripe`;
  if (options.deliver !== false) emulator.webhooks.addEndpoint(webhookUrl);
  const stripe = new Stripe(emulator.secretKey, { ...emulator.stripeConfig, maxNetworkRetries: 0 });
  const { client: admin } = await signInAdmin(t);
  return {
    t,
    emulator,
    stripe,
    smtp,
    admin,
    webhookUrl,
    /** Moves Stripe's clock (renewals, cancellations, dunning run) and ours with it. */
    async advanceDays(days: number) {
      emulator.clock.advance(days * DAY_SECONDS);
      clock.set(new Date(emulator.clock.now() * 1000));
      await emulator.webhooks.settled();
    },
    settled: () => emulator.webhooks.settled(),
  };
}

export type WebhookTest = Awaited<ReturnType<typeof createWebhookTestApp>>;

export type PaidPlanCode = 'team' | 'scale';

interface TestPlan {
  name: string;
  priceCents: number;
  includedOperations: number;
  entitlements: string[];
}

const PLANS: Record<PaidPlanCode, TestPlan> = {
  team: {
    name: 'Team',
    priceCents: 7_900,
    includedOperations: 500,
    entitlements: ['advanced_analysis'],
  },
  scale: {
    name: 'Scale',
    priceCents: 19_900,
    includedOperations: 2_000,
    entitlements: ['advanced_analysis', 'api_access'],
  },
};

/** Creates the paid plans through the admin API and runs their syncs into the emulator. */
export async function createPaidPlans(w: WebhookTest): Promise<Record<PaidPlanCode, string>> {
  for (const [code, plan] of Object.entries(PLANS)) {
    await w.admin.billing.plans.create.mutate({ code, ...plan });
  }
  await w.t.drainJobs();
  const prices: Partial<Record<PaidPlanCode, string>> = {};
  for (const plan of await w.admin.billing.plans.adminList.query()) {
    if (plan.code === 'team' || plan.code === 'scale')
      prices[plan.code] = plan.stripe.priceId ?? '';
  }
  const { team, scale } = prices;
  if (!team || !scale) throw new Error('the paid plans did not sync');
  await w.settled();
  return { team, scale };
}

/** A customer with our metadata, stored on the user, as billing.checkout.create does it. */
export async function customerFor(w: WebhookTest, userId: string, email: string) {
  const customer = await w.stripe.customers.create({
    email,
    metadata: { tollbooth_user_id: userId },
  });
  await w.t.deps.db
    .updateTable('users')
    .set({ stripe_customer_id: customer.id })
    .where('id', '=', userId)
    .execute();
  return customer.id;
}

/** A signed-up user who subscribed to `price` on the hosted page; webhooks delivered. */
export async function subscribedUser(
  w: WebhookTest,
  price: string,
  options: { card?: 'visa' } = {},
) {
  const account = await registerAccount(w.t);
  const userId = account.user.id;
  const customer = await customerFor(w, userId, account.email);
  const session = await w.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    client_reference_id: userId,
    line_items: [{ price, quantity: 1 }],
    success_url: 'http://localhost:3001/billing?checkout=success',
    cancel_url: 'http://localhost:3001/billing?checkout=cancel',
    subscription_data: { metadata: { tollbooth_user_id: userId } },
  });
  const { subscription } = w.emulator.completeCheckout(session.id, { card: options.card });
  await w.settled();
  if (!subscription) throw new Error('checkout made no subscription');
  return { account, userId, customer, sessionId: session.id, subscriptionId: subscription };
}

/** The mirrored row next to Stripe's own state of the subscription, in comparable fields. */
export async function mirrorMatchesStripe(w: WebhookTest, subscriptionId: string) {
  const stripeSub = await w.stripe.subscriptions.retrieve(subscriptionId);
  const item = stripeSub.items.data[0];
  const row = await w.t.deps.db
    .selectFrom('subscriptions')
    .selectAll()
    .where('id', '=', subscriptionId)
    .executeTakeFirstOrThrow();
  const seconds = (date: Date | null) => (date ? date.getTime() / 1000 : null);
  expect({
    status: row.status,
    price: row.stripe_price_id,
    periodStart: seconds(row.current_period_start),
    periodEnd: seconds(row.current_period_end),
    cancelAtPeriodEnd: row.cancel_at_period_end,
    cancelAt: seconds(row.cancel_at),
    canceledAt: seconds(row.canceled_at),
    endedAt: seconds(row.ended_at),
  }).toEqual({
    status: stripeSub.status,
    price: item?.price.id,
    periodStart: item?.current_period_start,
    periodEnd: item?.current_period_end,
    cancelAtPeriodEnd: stripeSub.cancel_at_period_end,
    cancelAt: stripeSub.cancel_at,
    canceledAt: stripeSub.canceled_at,
    endedAt: stripeSub.ended_at,
  });
  return row;
}

export async function storedEvents(w: WebhookTest) {
  return w.t.deps.db
    .selectFrom('stripe_events')
    .select(['id', 'type', 'status', 'error', 'source'])
    .orderBy('stripe_created')
    .orderBy('received_at')
    .execute();
}

/** Signs a body with the endpoint's secret, as Stripe does (`t` in seconds, wall clock). */
export function signed(w: WebhookTest, payload: string, timestamp?: number) {
  return w.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: w.emulator.webhookSecret,
    ...(timestamp !== undefined && { timestamp }),
  });
}

/** Posts a body straight to the route (in-process), signed unless a header is given. */
export async function postEvent(
  w: WebhookTest,
  body: unknown,
  headers?: Record<string, string>,
): Promise<Response> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return w.t.app.request('/webhooks/stripe', {
    method: 'POST',
    headers: headers ?? {
      'content-type': 'application/json',
      'stripe-signature': signed(w, payload),
    },
    body: payload,
  });
}
