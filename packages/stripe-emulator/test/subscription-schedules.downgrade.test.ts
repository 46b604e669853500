// A downgrade that takes effect at the end of the paid period, the way billing schedules it:
// wrap the subscription in a schedule (`from_subscription`), keep the current phase to the
// period end and add a phase on the cheaper price, `end_behavior=release`. The subscription
// renews on the cheaper price at the boundary; the schedule releases it when that last phase
// ends. Events arrive as signed webhooks, in order.
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  PERIOD_END,
  type Receiver,
  START,
  startReceiver,
  startTestEmulator,
  subscribe,
  type TestEnv,
} from './helpers.ts';

/** End of the second monthly period: where the one-month downgrade phase ends. */
const SECOND_PERIOD_END = Date.UTC(2030, 2, 15, 12) / 1000;

let env: TestEnv;
let receiver: Receiver;
beforeEach(async () => {
  env = await startTestEmulator();
  receiver = await startReceiver(env.emulator.webhookSecret);
  env.emulator.webhooks.addEndpoint(receiver.url);
});
afterEach(async () => {
  await env.stop();
  await receiver.close();
});

async function received(): Promise<Stripe.Event[]> {
  await env.emulator.webhooks.settled();
  return receiver.events.splice(0);
}

async function subscribedToPro() {
  const pro = await createPlan(env.stripe, { amount: 3000, name: 'Pro' });
  const basic = await createPlan(env.stripe, { amount: 1000, name: 'Basic' });
  const { subscription } = await subscribe(env, pro.price);
  await received();
  return { pro: pro.price, basic: basic.price, subscription };
}

/** What billing does for "downgrade at period end". */
async function scheduleDowngrade(subscriptionId: string, from: string, to: string) {
  const schedule = await env.stripe.subscriptionSchedules.create({
    from_subscription: subscriptionId,
  });
  const [current] = schedule.phases;
  return env.stripe.subscriptionSchedules.update(schedule.id, {
    phases: [
      {
        items: [{ price: from, quantity: 1 }],
        start_date: current?.start_date,
        end_date: current?.end_date,
      },
      { items: [{ price: to, quantity: 1 }], duration: { interval: 'month', interval_count: 1 } },
    ],
    end_behavior: 'release',
    proration_behavior: 'none',
  });
}

const priceOf = (subscription: Stripe.Subscription) => subscription.items.data[0]?.price.id;

describe('a schedule from a subscription', () => {
  it('has one current phase with the subscription’s items over its current period', async () => {
    const { pro, subscription } = await subscribedToPro();
    const schedule = await env.stripe.subscriptionSchedules.create({
      from_subscription: subscription.id,
    });
    expect(schedule).toMatchObject({
      object: 'subscription_schedule',
      status: 'active',
      end_behavior: 'release',
      customer: subscription.customer,
      subscription: subscription.id,
      current_phase: { start_date: START, end_date: PERIOD_END },
      released_at: null,
      released_subscription: null,
    });
    expect(schedule.id).toMatch(/^sub_sched_/);
    expect(schedule.phases).toHaveLength(1);
    expect(schedule.phases[0]).toMatchObject({
      start_date: START,
      end_date: PERIOD_END,
      currency: 'usd',
      proration_behavior: 'create_prorations',
      items: [{ price: pro.id, plan: pro.id, quantity: 1 }],
    });
    const attached = await env.stripe.subscriptions.retrieve(subscription.id, {
      expand: ['schedule'],
    });
    expect(attached.schedule).toMatchObject({ id: schedule.id, object: 'subscription_schedule' });
    expect((await received()).map((event) => event.type)).toEqual([
      'subscription_schedule.created',
      'customer.subscription.updated',
    ]);
  });

  it('expands its subscription and customer', async () => {
    const { subscription } = await subscribedToPro();
    const { id } = await env.stripe.subscriptionSchedules.create({
      from_subscription: subscription.id,
    });
    const expanded = await env.stripe.subscriptionSchedules.retrieve(id, {
      expand: ['subscription', 'customer'],
    });
    expect(expanded.subscription).toMatchObject({ id: subscription.id, object: 'subscription' });
    expect(expanded.customer).toMatchObject({ id: subscription.customer, object: 'customer' });
  });
});

describe('a downgrade at the end of the paid period', () => {
  it('changes nothing until the period ends', async () => {
    const { pro, basic, subscription } = await subscribedToPro();
    const schedule = await scheduleDowngrade(subscription.id, pro.id, basic.id);
    expect(schedule.phases.map((phase) => [phase.start_date, phase.end_date])).toEqual([
      [START, PERIOD_END],
      [PERIOD_END, SECOND_PERIOD_END],
    ]);
    expect(schedule.current_phase).toEqual({ start_date: START, end_date: PERIOD_END });
    expect(priceOf(await env.stripe.subscriptions.retrieve(subscription.id))).toBe(pro.id);
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data).toHaveLength(1);
  });

  it('renews on the cheaper price at the period end and bills it', async () => {
    const { pro, basic, subscription } = await subscribedToPro();
    const schedule = await scheduleDowngrade(subscription.id, pro.id, basic.id);
    await received();

    env.emulator.clock.advanceTo(PERIOD_END);
    const renewed = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(priceOf(renewed)).toBe(basic.id);
    expect(renewed).toMatchObject({ status: 'active', schedule: schedule.id });
    expect(renewed.items.data[0]).toMatchObject({
      current_period_start: PERIOD_END,
      current_period_end: SECOND_PERIOD_END,
    });
    const invoice = await env.stripe.invoices.retrieve(String(renewed.latest_invoice));
    expect(invoice).toMatchObject({
      billing_reason: 'subscription_cycle',
      total: 1000,
      amount_paid: 1000,
      status: 'paid',
    });
    expect(
      invoice.lines.data.map((line) => [line.amount, line.pricing?.price_details?.price]),
    ).toEqual([[1000, basic.id]]);
    const moved = await env.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(moved).toMatchObject({
      status: 'active',
      current_phase: { start_date: PERIOD_END, end_date: SECOND_PERIOD_END },
    });

    const events = await received();
    expect(events.map((event) => event.type)).toEqual([
      'subscription_schedule.updated',
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
    ]);
    expect(events[0]?.data.previous_attributes).toEqual({
      current_phase: { start_date: START, end_date: PERIOD_END },
    });
    expect(events[1]?.data).toMatchObject({
      object: { items: { data: [{ price: { id: basic.id } }] } },
      previous_attributes: {
        items: { data: [{ price: { id: pro.id }, current_period_end: PERIOD_END }] },
      },
    });
    expect(receiver.rejected).toBe(0);
  });

  it('releases the subscription when the last phase ends, which then renews on its own', async () => {
    const { pro, basic, subscription } = await subscribedToPro();
    const schedule = await scheduleDowngrade(subscription.id, pro.id, basic.id);
    env.emulator.clock.advanceTo(PERIOD_END);
    await received();

    env.emulator.clock.advanceTo(SECOND_PERIOD_END);
    const released = await env.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(released).toMatchObject({
      status: 'released',
      released_at: SECOND_PERIOD_END,
      released_subscription: subscription.id,
      subscription: null,
      current_phase: null,
    });
    const free = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(free).toMatchObject({ schedule: null, status: 'active' });
    expect(priceOf(free)).toBe(basic.id);
    const [latest] = (await env.stripe.invoices.list({ subscription: subscription.id })).data;
    expect(latest).toMatchObject({ created: SECOND_PERIOD_END, total: 1000 });

    const types = (await received()).map((event) => event.type);
    expect(types.slice(0, 3)).toEqual([
      'subscription_schedule.released',
      'customer.subscription.updated',
      'customer.subscription.updated',
    ]);
    expect(types).toContain('invoice.paid');
  });

  it('is undone by releasing the schedule early: the subscription keeps its price', async () => {
    const { pro, basic, subscription } = await subscribedToPro();
    const schedule = await scheduleDowngrade(subscription.id, pro.id, basic.id);
    await received();

    const released = await env.stripe.subscriptionSchedules.release(schedule.id);
    expect(released).toMatchObject({
      status: 'released',
      released_at: START,
      released_subscription: subscription.id,
      subscription: null,
    });
    const [event, update] = await received();
    expect(event).toMatchObject({ type: 'subscription_schedule.released' });
    expect(update?.data).toMatchObject({
      object: { id: subscription.id, schedule: null },
      previous_attributes: { schedule: schedule.id },
    });

    env.emulator.clock.advanceTo(PERIOD_END);
    const renewed = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(priceOf(renewed)).toBe(pro.id);
    const invoice = await env.stripe.invoices.retrieve(String(renewed.latest_invoice));
    expect(invoice.total).toBe(3000);
  });
});
