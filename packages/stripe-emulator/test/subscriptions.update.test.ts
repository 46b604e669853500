// Changing a subscription's price or quantity mid-period, with Stripe's proration arithmetic.
// The plan starts on 2030-01-15 12:00 UTC; its first period is 31 days, so 15.5 days in, exactly
// half of it is left: a $10 → $30 upgrade credits −$5.00 and charges +$15.00.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  DAY,
  liveCustomer,
  PERIOD_END,
  START,
  startTestEmulator,
  stripeError,
  subscribe,
  type TestEnv,
} from './helpers.ts';

const HALFWAY = START + 15.5 * DAY;

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

async function setup() {
  const basic = await createPlan(env.stripe, { amount: 1000, name: 'Basic' });
  const pro = await env.stripe.prices.create({
    product: basic.product.id,
    currency: 'usd',
    unit_amount: 3000,
    recurring: { interval: 'month' },
  });
  const yearly = await env.stripe.prices.create({
    product: basic.product.id,
    currency: 'usd',
    unit_amount: 10000,
    recurring: { interval: 'year' },
  });
  const { subscription, customerId } = await subscribe(env, basic.price);
  const itemId = subscription.items.data[0]?.id ?? '';
  env.emulator.clock.advanceTo(HALFWAY);
  return { basic: basic.price, pro, yearly, subscription, customerId, itemId };
}

async function invoicesOf(subscriptionId: string) {
  return (await env.stripe.invoices.list({ subscription: subscriptionId })).data;
}

describe('changing the price', () => {
  it('with always_invoice bills the prorated difference now', async () => {
    const { pro, subscription, itemId } = await setup();
    const updated = await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: itemId, price: pro.id }],
      proration_behavior: 'always_invoice',
    });
    expect(updated.items.data[0]).toMatchObject({
      id: itemId,
      price: { id: pro.id },
      current_period_end: PERIOD_END,
    });
    const [latest] = await invoicesOf(subscription.id);
    expect(latest).toMatchObject({
      billing_reason: 'subscription_update',
      total: 1000,
      amount_paid: 1000,
      status: 'paid',
    });
    expect(latest?.lines.data.map((line) => line.amount)).toEqual([-500, 1500]);
    expect(latest?.lines.data[0]?.description).toBe(
      'Unused time on 1 × Basic (at $10.00 / month) after Jan 31, 2030',
    );
    expect(updated.latest_invoice).toBe(latest?.id);
  });

  it('by default queues the prorations for the next renewal invoice', async () => {
    const { pro, subscription, itemId } = await setup();
    await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: itemId, price: pro.id }],
    });
    expect(await invoicesOf(subscription.id)).toHaveLength(1);
    env.emulator.clock.advanceTo(PERIOD_END);
    const [renewal] = await invoicesOf(subscription.id);
    expect(renewal).toMatchObject({
      billing_reason: 'subscription_cycle',
      total: 4000,
      status: 'paid',
    });
    expect(renewal?.lines.data.map((line) => line.amount)).toEqual([-500, 1500, 3000]);
  });

  it('with proration_behavior=none just bills the new price from the next period', async () => {
    const { pro, subscription, itemId } = await setup();
    await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: itemId, price: pro.id }],
      proration_behavior: 'none',
    });
    env.emulator.clock.advanceTo(PERIOD_END);
    const [renewal] = await invoicesOf(subscription.id);
    expect(renewal?.total).toBe(3000);
  });

  it('downgrading with always_invoice leaves a credit that pays the next invoice', async () => {
    const { basic, pro, subscription, itemId, customerId } = await setup();
    await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: itemId, price: pro.id }],
      proration_behavior: 'none',
    });
    await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: itemId, price: basic.id }],
      proration_behavior: 'always_invoice',
    });
    const [credit] = await invoicesOf(subscription.id);
    expect(credit).toMatchObject({
      total: -1000,
      amount_due: 0,
      ending_balance: -1000,
      status: 'paid',
    });
    expect((await liveCustomer(env.stripe, customerId)).balance).toBe(-1000);
    env.emulator.clock.advanceTo(PERIOD_END);
    const [renewal] = await invoicesOf(subscription.id);
    expect(renewal).toMatchObject({
      total: 1000,
      starting_balance: -1000,
      amount_due: 0,
      status: 'paid',
    });
    expect((await liveCustomer(env.stripe, customerId)).balance).toBe(0);
  });

  it('to another interval restarts the billing cycle today and bills it now', async () => {
    const { yearly, subscription, itemId } = await setup();
    const updated = await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: itemId, price: yearly.id }],
    });
    expect(updated.billing_cycle_anchor).toBe(HALFWAY);
    expect(updated.items.data[0]).toMatchObject({
      current_period_start: HALFWAY,
      current_period_end: Date.UTC(2031, 0, 31, 0) / 1000,
    });
    const [latest] = await invoicesOf(subscription.id);
    expect(latest?.lines.data.map((line) => line.amount)).toEqual([-500, 10000]);
    expect(latest?.total).toBe(9500);
  });
});

describe('changing the quantity', () => {
  it('prorates seats like a price change', async () => {
    const { subscription, itemId } = await setup();
    const updated = await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: itemId, quantity: 3 }],
      proration_behavior: 'always_invoice',
    });
    expect(updated.items.data[0]?.quantity).toBe(3);
    const [latest] = await invoicesOf(subscription.id);
    expect(latest?.lines.data.map((line) => line.amount)).toEqual([-500, 1500]);
  });
});

describe('refused changes', () => {
  it('rejects a one-time price', async () => {
    const { subscription, itemId, basic } = await setup();
    const once = await env.stripe.prices.create({
      product: String(basic.product),
      currency: 'usd',
      unit_amount: 500,
    });
    const error = await stripeError(
      env.stripe.subscriptions.update(subscription.id, { items: [{ id: itemId, price: once.id }] }),
    );
    expect(error).toMatchObject({ statusCode: 400, param: 'items[0][price]' });
  });

  it('rejects an unknown subscription item', async () => {
    const { subscription, pro } = await setup();
    const error = await stripeError(
      env.stripe.subscriptions.update(subscription.id, {
        items: [{ id: 'si_nope', price: pro.id }],
      }),
    );
    expect(error).toMatchObject({ code: 'resource_missing', param: 'items[0][id]' });
  });

  it('emits customer.subscription.updated with the previous items', async () => {
    const { pro, subscription, itemId, basic } = await setup();
    await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: itemId, price: pro.id }],
    });
    const [event] = (
      await env.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })
    ).data;
    expect(event?.data.previous_attributes).toMatchObject({
      items: { data: [{ price: { id: basic.id } }] },
    });
  });
});
