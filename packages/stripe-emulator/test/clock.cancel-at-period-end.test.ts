// cancel_at_period_end takes effect when the clock reaches the period end: the subscription
// ends without another invoice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  DAY,
  PERIOD_END,
  startTestEmulator,
  subscribe,
  type TestEnv,
} from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

describe('cancel at period end', () => {
  it('ends the subscription at period end without billing again', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription } = await subscribe(env, price);
    await env.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });

    env.emulator.clock.advanceTo(PERIOD_END - 1);
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');

    env.emulator.clock.advance(DAY);
    const ended = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(ended).toMatchObject({
      status: 'canceled',
      ended_at: PERIOD_END,
      cancel_at_period_end: true,
    });
    expect((await env.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(
      1,
    );
    const [deleted] = (await env.stripe.events.list({ type: 'customer.subscription.deleted' }))
      .data;
    expect(deleted?.data.object).toMatchObject({ id: subscription.id, status: 'canceled' });
  });

  it('does nothing once undone', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription } = await subscribe(env, price);
    await env.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await env.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false });
    env.emulator.clock.advanceTo(PERIOD_END);
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    expect((await env.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(
      2,
    );
  });
});
