// A schedule and its subscription end together, as with Stripe: cancelling either cancels both,
// `end_behavior=cancel` ends the subscription with the last phase (announced as `cancel_at`), a
// subscription lost to dunning aborts its schedule. While a schedule drives a subscription,
// cancellation is the schedule's business; a direct item change is written into the current
// phase.
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  DAY,
  PERIOD_END,
  START,
  startTestEmulator,
  stripeError,
  subscribe,
  type TestEnv,
} from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

async function scheduled() {
  const pro = await createPlan(env.stripe, { amount: 3000, name: 'Pro' });
  const basic = await createPlan(env.stripe, { amount: 1000, name: 'Basic' });
  const { subscription, customerId } = await subscribe(env, pro.price);
  const schedule = await env.stripe.subscriptionSchedules.create({
    from_subscription: subscription.id,
  });
  return { pro: pro.price, basic: basic.price, subscription, customerId, schedule };
}

async function typesSince(event: Stripe.Event | undefined): Promise<string[]> {
  const all = (await env.stripe.events.list({ limit: 100 })).data.reverse();
  const from = event ? all.findIndex((candidate) => candidate.id === event.id) + 1 : 0;
  return all.slice(from).map((candidate) => candidate.type);
}

async function lastEvent() {
  return (await env.stripe.events.list({ limit: 1 })).data[0];
}

describe('the subscription a schedule drives', () => {
  it('cannot change its cancellation directly', async () => {
    const { subscription, schedule } = await scheduled();
    const error = await stripeError(
      env.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true }),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      message: `The subscription is managed by the subscription schedule \`${schedule.id}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`,
    });
    const unchanged = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(unchanged).toMatchObject({ cancel_at_period_end: false, cancel_at: null });
  });

  it('can be canceled at period end once the schedule is released', async () => {
    const { subscription, schedule } = await scheduled();
    await env.stripe.subscriptionSchedules.release(schedule.id);
    const canceling = await env.stripe.subscriptions.update(subscription.id, {
      cancel_at_period_end: true,
    });
    expect(canceling).toMatchObject({ cancel_at_period_end: true, cancel_at: PERIOD_END });
  });

  it('takes a direct price change into the current phase', async () => {
    const { basic, subscription, schedule } = await scheduled();
    const before = await lastEvent();
    await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]?.id, price: basic.id }],
      proration_behavior: 'none',
    });
    const updated = await env.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(updated.phases[0]?.items).toMatchObject([{ price: basic.id, quantity: 1 }]);
    expect(await typesSince(before)).toEqual([
      'customer.subscription.updated',
      'subscription_schedule.updated',
    ]);
  });

  it('canceled now cancels its schedule', async () => {
    const { subscription, schedule } = await scheduled();
    const before = await lastEvent();
    await env.stripe.subscriptions.cancel(subscription.id);
    const canceled = await env.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(canceled).toMatchObject({ status: 'canceled', canceled_at: START, current_phase: null });
    expect(await typesSince(before)).toEqual([
      'customer.subscription.deleted',
      'subscription_schedule.canceled',
    ]);
  });

  it('lost to dunning aborts its schedule', async () => {
    const { pro, subscription, schedule, customerId } = await scheduled();
    await env.stripe.subscriptionSchedules.update(schedule.id, {
      phases: [{ items: [{ price: pro.id }], start_date: START, end_date: START + 90 * DAY }],
    });
    env.emulator.attachDecliningCard(customerId);
    env.emulator.clock.advanceTo(PERIOD_END + 16 * DAY);
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
    expect((await env.stripe.subscriptionSchedules.retrieve(schedule.id)).status).toBe('canceled');
    const [aborted] = (await env.stripe.events.list({ type: 'subscription_schedule.aborted' }))
      .data;
    expect(aborted?.data.object).toMatchObject({ id: schedule.id, status: 'canceled' });
  });
});

describe('ending a schedule', () => {
  it('cancel ends the schedule and its subscription now', async () => {
    const { subscription, schedule } = await scheduled();
    const canceled = await env.stripe.subscriptionSchedules.cancel(schedule.id);
    expect(canceled).toMatchObject({ status: 'canceled', canceled_at: START });
    const ended = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(ended).toMatchObject({ status: 'canceled', ended_at: START });
  });

  it('release or cancel only while the schedule is live', async () => {
    const { schedule } = await scheduled();
    await env.stripe.subscriptionSchedules.release(schedule.id);
    const error = await stripeError(env.stripe.subscriptionSchedules.cancel(schedule.id));
    expect(error).toMatchObject({ statusCode: 400 });
    expect(error.message).toContain('`released`');
  });

  it('with end_behavior=cancel ends the subscription with the last phase', async () => {
    const { subscription, schedule } = await scheduled();
    await env.stripe.subscriptionSchedules.update(schedule.id, { end_behavior: 'cancel' });
    const announced = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(announced).toMatchObject({ cancel_at: PERIOD_END, status: 'active' });

    const before = await lastEvent();
    env.emulator.clock.advanceTo(PERIOD_END);
    expect(await env.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'canceled',
      ended_at: PERIOD_END,
    });
    expect(await env.stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: 'completed',
      completed_at: PERIOD_END,
      current_phase: null,
    });
    expect(await typesSince(before)).toEqual([
      'customer.subscription.deleted',
      'subscription_schedule.completed',
    ]);
  });

  it('switching end_behavior back to release takes the cancel_at away again', async () => {
    const { subscription, schedule } = await scheduled();
    await env.stripe.subscriptionSchedules.update(schedule.id, { end_behavior: 'cancel' });
    await env.stripe.subscriptionSchedules.update(schedule.id, { end_behavior: 'release' });
    const kept = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(kept).toMatchObject({ cancel_at: null, canceled_at: null });
    env.emulator.clock.advanceTo(PERIOD_END);
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });

  it('released with preserve_cancel_date keeps the cancellation the schedule set', async () => {
    const { subscription, schedule } = await scheduled();
    await env.stripe.subscriptionSchedules.update(schedule.id, { end_behavior: 'cancel' });
    await env.stripe.subscriptionSchedules.release(schedule.id, { preserve_cancel_date: true });
    const still = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(still).toMatchObject({ schedule: null, cancel_at: PERIOD_END });
    env.emulator.clock.advanceTo(PERIOD_END);
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
  });
});
