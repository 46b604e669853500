import { describe, expect, it } from 'vitest';
import { failure } from '../support/accounts';
import { createJourneyApp, customerIdOf, signUpCustomer, subscribe } from './journey-testing';

const DAY_SECONDS = 86_400;
const PERIOD_END = new Date(Date.UTC(2026, 3, 1, 12)).toISOString();

async function subscriber(plan: string) {
  const j = await createJourneyApp({ webhooks: true });
  const { account, client } = await signUpCustomer(j.t);
  await subscribe(client, plan);
  await j.settle();
  const customer = await customerIdOf(j.t, account.user.id);
  const [subscription] = (await j.stripe.subscriptions.list({ customer })).data;
  if (!subscription) throw new Error('no subscription');
  return { j, client, subscriptionId: subscription.id };
}

describe('billing.subscription.cancel and resume', () => {
  it('cancels at the end of the paid period: access stays until then, and renewal is off', async () => {
    const { j, client, subscriptionId } = await subscriber('team');

    const canceled = await client.billing.subscription.cancel.mutate();

    expect(canceled).toEqual({
      id: subscriptionId,
      status: 'active',
      cancelAtPeriodEnd: true,
      currentPeriodEnd: PERIOD_END,
    });
    expect(await j.stripe.subscriptions.retrieve(subscriptionId)).toMatchObject({
      cancel_at_period_end: true,
      status: 'active',
    });
    await j.settle();
    expect(await client.billing.subscription.current.query()).toMatchObject({
      cancelAtPeriodEnd: true,
      endsAt: PERIOD_END,
      renewsAt: null,
    });
    expect(await client.billing.access.query()).toMatchObject({
      level: 'premium',
      plan: { code: 'team' },
      until: PERIOD_END,
    });
  });

  it('resume undoes a scheduled cancel, and the subscription renews as before', async () => {
    const { j, client, subscriptionId } = await subscriber('starter');
    await client.billing.subscription.cancel.mutate();
    await j.settle();

    const resumed = await client.billing.subscription.resume.mutate();

    expect(resumed).toMatchObject({ cancelAtPeriodEnd: false, status: 'active' });
    await j.settle();
    expect(await client.billing.subscription.current.query()).toMatchObject({
      cancelAtPeriodEnd: false,
      endsAt: null,
      renewsAt: PERIOD_END,
    });
    await j.advance(31 * DAY_SECONDS + 60);
    expect(await j.stripe.subscriptions.retrieve(subscriptionId)).toMatchObject({
      status: 'active',
    });
    expect(await client.billing.access.query()).toMatchObject({ level: 'premium' });
  });

  it('after the end there is nothing to resume: SUBSCRIPTION_ENDED says to start a new checkout', async () => {
    const { j, client } = await subscriber('starter');
    await client.billing.subscription.cancel.mutate();
    await j.advance(31 * DAY_SECONDS + 60);

    const refused = await failure(client.billing.subscription.resume.mutate());

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'SUBSCRIPTION_ENDED' });
    expect(refused.message).toContain('billing.checkout.create');
    expect(await client.billing.subscription.current.query()).toBeNull();
    expect(await client.billing.access.query()).toMatchObject({ level: 'free' });
    // And a new checkout is open to them again.
    const again = await client.billing.checkout.create.mutate({ plan: 'team' });
    expect(again.url).toContain('/c/pay/');
  });

  it('cancelling drops a pending downgrade first (Stripe refuses to cancel a scheduled subscription)', async () => {
    const { j, client, subscriptionId } = await subscriber('scale');
    await client.billing.subscription.change.mutate({ plan: 'starter' });

    await client.billing.subscription.cancel.mutate();

    expect(await j.stripe.subscriptions.retrieve(subscriptionId)).toMatchObject({
      schedule: null,
      cancel_at_period_end: true,
    });
    await j.settle();
    expect(await client.billing.subscription.current.query()).toMatchObject({
      plan: { code: 'scale' },
      pendingChange: null,
      cancelAtPeriodEnd: true,
    });
  });

  it('cancel twice and resume twice change nothing the second time', async () => {
    const { client } = await subscriber('starter');

    const first = await client.billing.subscription.cancel.mutate();
    const second = await client.billing.subscription.cancel.mutate();
    const resumed = await client.billing.subscription.resume.mutate();
    const resumedAgain = await client.billing.subscription.resume.mutate();

    expect(second).toEqual(first);
    expect(resumedAgain).toEqual(resumed);
  });

  it('refuses a user who never subscribed with NO_SUBSCRIPTION', async () => {
    const j = await createJourneyApp();
    const { client } = await signUpCustomer(j.t);

    const cancel = await failure(client.billing.subscription.cancel.mutate());
    const resume = await failure(client.billing.subscription.resume.mutate());

    for (const refused of [cancel, resume]) {
      expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'NO_SUBSCRIPTION' });
    }
  });
});
