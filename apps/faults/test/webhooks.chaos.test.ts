/**
 * Webhook chaos (issue 10, money): two API processes behind one Stripe emulator that forwards
 * every event to both, each event reordered within its batch, delivered twice, and its first
 * attempt dropped (so it arrives only on the emulator’s retry). Fourteen customers subscribe
 * through hosted checkout; some upgrade, some cancel at the period end, some cancel now; then
 * Stripe's clock moves past the period. Over 1,000 signed deliveries later, every
 * subscription as the API mirrored it equals Stripe's own, read back through the real SDK;
 * every event is stored once and none failed.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHolders, dataOrThrow, signInAdmin } from '../src/accounts';
import { callProcedure } from '../src/client';
import { emulatorControl } from '../src/emulator-control';
import { emptyFigures, writeFigures } from '../src/figures';
import { type Stack, startStack } from '../src/stack';
import { untilTrue } from '../src/until';

const CUSTOMERS = 14;
const MIN_DELIVERIES = 1_000;
const PLANS = {
  team: { name: 'Team', priceCents: 7_900, includedOperations: 500, entitlements: [] },
  scale: { name: 'Scale', priceCents: 19_900, includedOperations: 2_000, entitlements: [] },
};

const figures = emptyFigures();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ apis: 2, worker: true, emulator: true });
});

afterAll(async () => {
  await writeFigures(inject('figuresDir'), 'webhooks.chaos', figures);
  await stack?.stop();
});

/** The paid plans, created through the API and synced to Stripe by the worker: their prices. */
async function paidPlans(apiUrl: string, adminToken: string) {
  for (const [code, plan] of Object.entries(PLANS)) {
    dataOrThrow(
      await callProcedure(apiUrl, 'billing.plans.create', {
        mutation: true,
        token: adminToken,
        input: { code, ...plan },
        timeoutMs: 15_000,
      }),
      'billing.plans.create',
    );
  }
  const prices: Record<string, string> = {};
  await untilTrue(
    async () => {
      const listed = await callProcedure(apiUrl, 'billing.plans.adminList', {
        token: adminToken,
        timeoutMs: 15_000,
      });
      const plans = listed.kind === 'answer' && Array.isArray(listed.data) ? listed.data : [];
      for (const plan of plans) {
        const priceId: unknown = plan?.stripe?.priceId;
        if (typeof plan?.code === 'string' && typeof priceId === 'string' && priceId) {
          prices[plan.code] = priceId;
        }
      }
      return Boolean(prices.team && prices.scale);
    },
    30_000,
    'the paid plans synced to Stripe',
  );
  return { team: prices.team ?? '', scale: prices.scale ?? '' };
}

describe('webhook chaos', () => {
  it('over 1,000 deliveries duplicated, reordered and first-dropped, to both processes, leave every mirrored subscription equal to Stripe’s', async () => {
    const emulator = stack.emulator;
    if (!emulator) throw new Error('the emulator was expected');
    const controls = emulatorControl(emulator);
    const stripe = new Stripe(emulator.secretKey, {
      host: '127.0.0.1',
      port: Number(new URL(emulator.url).port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const first = stack.apis[0]?.url ?? '';
    const admin = await signInAdmin(first, stack.database.pool);
    const prices = await paidPlans(first, admin.token);
    await controls.settled(30_000);
    await controls.setSwitches({ out_of_order: true, duplicate: true, drop_first_attempt: true });
    figures.faults += 3;

    const holders = await createHolders(stack.database.pool, CUSTOMERS, 'subscriber');
    const subscriptions: string[] = [];
    for (const holder of holders) {
      const customer = await stripe.customers.create({
        email: holder.email,
        metadata: { tollbooth_user_id: holder.id },
      });
      await stack.database.pool.query('update users set stripe_customer_id = $1 where id = $2', [
        customer.id,
        holder.id,
      ]);
      const session = await stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: customer.id,
        client_reference_id: holder.id,
        line_items: [{ price: prices.team, quantity: 1 }],
        success_url: 'http://127.0.0.1:3001/billing?checkout=success',
        cancel_url: 'http://127.0.0.1:3001/billing?checkout=cancel',
        subscription_data: { metadata: { tollbooth_user_id: holder.id } },
      });
      await controls.completeCheckout(session.id);
      const completed = await stripe.checkout.sessions.retrieve(session.id);
      if (typeof completed.subscription !== 'string')
        throw new Error('checkout made no subscription');
      subscriptions.push(completed.subscription);
    }
    for (const [index, id] of subscriptions.entries()) {
      if (index < CUSTOMERS / 2) {
        const current = await stripe.subscriptions.retrieve(id);
        await stripe.subscriptions.update(id, {
          items: [{ id: current.items.data[0]?.id, price: prices.scale }],
          proration_behavior: 'always_invoice',
        });
      }
      if (index % 4 === 1) await stripe.subscriptions.update(id, { cancel_at_period_end: true });
      if (index >= CUSTOMERS - 3) await stripe.subscriptions.cancel(id);
    }
    await controls.advanceDays(32);
    // Every first attempt waits for the emulator's first retry (5 s) before it arrives.
    await controls.settled(90_000);

    const attempts = await controls.attempts();
    const delivered = attempts.filter((attempt) => attempt.outcome !== 'dropped');
    const dropped = attempts.length - delivered.length;
    figures.requests += delivered.length + 12 * CUSTOMERS;
    figures.faults += dropped;
    expect(delivered.length).toBeGreaterThanOrEqual(MIN_DELIVERIES);
    expect(delivered.filter((attempt) => attempt.status !== 200)).toEqual([]);
    expect(new Set(delivered.map((attempt) => new URL(attempt.url).port)).size).toBe(2);

    const mismatches = [];
    for (const id of subscriptions) {
      const remote = await stripe.subscriptions.retrieve(id);
      const item = remote.items.data[0];
      const { rows } = await stack.database.pool.query(
        `select status::text, stripe_price_id, cancel_at_period_end,
                extract(epoch from current_period_start)::int as period_start,
                extract(epoch from current_period_end)::int as period_end,
                extract(epoch from canceled_at)::int as canceled_at,
                extract(epoch from ended_at)::int as ended_at
           from subscriptions where id = $1`,
        [id],
      );
      const local = rows[0];
      const stripeView = {
        status: remote.status,
        stripe_price_id: item?.price.id,
        cancel_at_period_end: remote.cancel_at_period_end,
        period_start: item?.current_period_start,
        period_end: item?.current_period_end,
        canceled_at: remote.canceled_at,
        ended_at: remote.ended_at,
      };
      if (JSON.stringify(local) !== JSON.stringify(stripeView)) {
        mismatches.push({ id, local, stripe: stripeView });
      }
    }
    figures.invariants += subscriptions.length;
    expect(mismatches).toEqual([]);
    // Both processes and both copies of every event: each stored once, none failed.
    const { rows: events } = await stack.database.pool.query<{ status: string; count: number }>(
      `select status::text, count(*)::int as count from stripe_events group by status`,
    );
    figures.invariants += 1;
    expect(events.filter((row) => row.status === 'failed' || row.status === 'received')).toEqual(
      [],
    );
    console.log(
      `webhook chaos: ${attempts.length} attempts (${dropped} dropped, ${delivered.length} delivered) of ${new Set(attempts.map((a) => a.eventId)).size} events to 2 processes; ${subscriptions.length} subscriptions equal to Stripe's`,
    );
  });
});
