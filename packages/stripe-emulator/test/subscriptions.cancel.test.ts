// Ending subscriptions: schedule cancellation at period end and undo it, cancel immediately,
// and what the list and resume endpoints then say.
import Stripe from 'stripe';
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

async function active() {
  const { price } = await createPlan(env.stripe, { amount: 2000 });
  return (await subscribe(env, price)).subscription;
}

describe('cancel at period end', () => {
  it('schedules the end of the subscription and can be undone', async () => {
    const subscription = await active();
    env.emulator.clock.advance(DAY);
    const scheduled = await env.stripe.subscriptions.update(subscription.id, {
      cancel_at_period_end: true,
    });
    expect(scheduled).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
      cancel_at: PERIOD_END,
      canceled_at: START + DAY,
      cancellation_details: { reason: 'cancellation_requested' },
    });
    const resumed = await env.stripe.subscriptions.update(subscription.id, {
      cancel_at_period_end: false,
    });
    expect(resumed).toMatchObject({
      status: 'active',
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
    });

    const updates = await env.stripe.events.list({
      type: 'customer.subscription.updated',
      limit: 2,
    });
    expect(updates.data.map((event) => event.data.previous_attributes)).toMatchObject([
      { cancel_at_period_end: true, cancel_at: PERIOD_END },
      { cancel_at_period_end: false, cancel_at: null },
    ]);
  });

  it('records the customer’s reason', async () => {
    const subscription = await active();
    const updated = await env.stripe.subscriptions.update(subscription.id, {
      cancel_at_period_end: true,
      cancellation_details: { comment: 'Too pricey', feedback: 'too_expensive' },
    });
    expect(updated.cancellation_details).toMatchObject({
      comment: 'Too pricey',
      feedback: 'too_expensive',
    });
  });
});

describe('cancel now', () => {
  it('ends the subscription immediately and announces it', async () => {
    const subscription = await active();
    env.emulator.clock.advance(DAY);
    const canceled = await env.stripe.subscriptions.cancel(subscription.id);
    expect(canceled).toMatchObject({
      status: 'canceled',
      ended_at: START + DAY,
      canceled_at: START + DAY,
    });
    const [deleted] = (await env.stripe.events.list({ type: 'customer.subscription.deleted' }))
      .data;
    expect(deleted?.data.object).toMatchObject({ id: subscription.id, status: 'canceled' });
  });

  it('drops canceled subscriptions from the default list but not from status=all', async () => {
    const subscription = await active();
    await env.stripe.subscriptions.cancel(subscription.id);
    expect((await env.stripe.subscriptions.list()).data).toEqual([]);
    expect((await env.stripe.subscriptions.list({ status: 'all' })).data.map((s) => s.id)).toEqual([
      subscription.id,
    ]);
    expect((await env.stripe.subscriptions.list({ status: 'canceled' })).data).toHaveLength(1);
  });

  it('refuses to change or cancel a canceled subscription again', async () => {
    const subscription = await active();
    await env.stripe.subscriptions.cancel(subscription.id);
    const update = await stripeError(
      env.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true }),
    );
    expect(update).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const again = await stripeError(env.stripe.subscriptions.cancel(subscription.id));
    expect(again.statusCode).toBe(400);
    const metadata = await env.stripe.subscriptions.update(subscription.id, {
      metadata: { note: 'churned' },
    });
    expect(metadata.metadata).toEqual({ note: 'churned' });
  });
});

describe('resume', () => {
  it('is Stripe’s endpoint for paused subscriptions and refuses an active one', async () => {
    const subscription = await active();
    const error = await stripeError(env.stripe.subscriptions.resume(subscription.id));
    expect(error).toMatchObject({ statusCode: 400 });
    expect(error.message).toMatch(/only paused subscriptions can be resumed/);
  });
});

describe('listing', () => {
  it('filters by customer and by price', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const other = await createPlan(env.stripe, { amount: 5000, name: 'Team' });
    const ada = await subscribe(env, price, 'ada@example.com');
    const grace = await subscribe(env, other.price, 'grace@example.com');
    expect(
      (await env.stripe.subscriptions.list({ customer: ada.customerId })).data.map((s) => s.id),
    ).toEqual([ada.subscription.id]);
    expect(
      (await env.stripe.subscriptions.list({ price: other.price.id })).data.map((s) => s.id),
    ).toEqual([grace.subscription.id]);
  });
});
