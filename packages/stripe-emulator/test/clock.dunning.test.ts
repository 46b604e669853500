// A card that declines makes the renewal fail: invoice.payment_failed, status past_due, retries
// 3, 5 and 7 days apart, then the subscription is canceled (or marked unpaid, per policy) — or
// recovers as soon as a retry succeeds.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  DAY,
  PERIOD_END,
  startTestEmulator,
  subscribe,
  type TestEnv,
} from './helpers.ts';

let env: TestEnv;
afterEach(() => env.stop());

async function failingRenewal(options: Parameters<typeof startTestEmulator>[0] = {}) {
  env = await startTestEmulator(options);
  const { price } = await createPlan(env.stripe, { amount: 2000 });
  const { subscription, customerId } = await subscribe(env, price);
  env.emulator.attachDecliningCard(customerId);
  env.emulator.clock.advanceTo(PERIOD_END);
  const renewal = await env.stripe.invoices.retrieve(
    String((await env.stripe.subscriptions.retrieve(subscription.id)).latest_invoice),
  );
  return { subscription, customerId, renewal };
}

describe('a declined renewal', () => {
  it('leaves the invoice open, schedules a retry and makes the subscription past_due', async () => {
    const { subscription, renewal } = await failingRenewal();
    expect(renewal).toMatchObject({
      status: 'open',
      attempt_count: 1,
      attempted: true,
      amount_paid: 0,
      amount_remaining: 2000,
      next_payment_attempt: PERIOD_END + 3 * DAY,
    });
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    const [failed] = (await env.stripe.events.list({ type: 'invoice.payment_failed' })).data;
    expect(failed?.data.object).toMatchObject({ id: renewal.id, attempt_count: 1 });
  });

  it('retries on schedule and cancels the subscription when the last retry fails', async () => {
    const { subscription, renewal } = await failingRenewal();
    env.emulator.clock.advance(3 * DAY);
    expect(await env.stripe.invoices.retrieve(renewal.id)).toMatchObject({
      attempt_count: 2,
      next_payment_attempt: PERIOD_END + 8 * DAY,
    });
    env.emulator.clock.advance(5 * DAY);
    expect((await env.stripe.invoices.retrieve(renewal.id)).attempt_count).toBe(3);
    env.emulator.clock.advance(7 * DAY);
    const last = await env.stripe.invoices.retrieve(renewal.id);
    expect(last).toMatchObject({ attempt_count: 4, status: 'open', next_payment_attempt: null });
    const canceled = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(canceled).toMatchObject({
      status: 'canceled',
      ended_at: PERIOD_END + 15 * DAY,
      cancellation_details: { reason: 'payment_failed' },
    });
    const deleted = await env.stripe.events.list({ type: 'customer.subscription.deleted' });
    expect(deleted.data).toHaveLength(1);
    expect((await env.stripe.events.list({ type: 'invoice.payment_failed' })).data).toHaveLength(4);
  });

  it('marks the subscription unpaid instead when the policy says so', async () => {
    const { subscription } = await failingRenewal({ dunning: { finalAction: 'unpaid' } });
    env.emulator.clock.advance(30 * DAY);
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).status).toBe('unpaid');
  });

  it('recovers when a retry succeeds with a new card', async () => {
    const { subscription, customerId, renewal } = await failingRenewal();
    env.emulator.attachCard(customerId, 'visa');
    env.emulator.clock.advance(3 * DAY);
    expect(await env.stripe.invoices.retrieve(renewal.id)).toMatchObject({
      status: 'paid',
      attempt_count: 2,
    });
    const recovered = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(recovered.status).toBe('active');
    const [update] = (
      await env.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })
    ).data;
    expect(update?.data.previous_attributes).toMatchObject({ status: 'past_due' });
  });
});
