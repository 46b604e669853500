import { describe, expect, it } from 'vitest';
import { failure } from '../support/accounts';
import {
  createJourneyApp,
  customerIdOf,
  type JourneyApp,
  signUpCustomer,
  subscribe,
} from './journey-testing';

const DAY_SECONDS = 86_400;

async function priceIdOf(j: JourneyApp, code: string): Promise<string> {
  const plan = await j.t.deps.db
    .selectFrom('plans')
    .select('stripe_price_id')
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  if (!plan.stripe_price_id) throw new Error(`${code} is not synced`);
  return plan.stripe_price_id;
}

/** A subscriber of `plan`, with the webhooks of the checkout applied. */
async function subscriber(plan: string) {
  const j = await createJourneyApp({ webhooks: true });
  const { account, client } = await signUpCustomer(j.t);
  await subscribe(client, plan);
  await j.settle();
  const customer = await customerIdOf(j.t, account.user.id);
  const [subscription] = (await j.stripe.subscriptions.list({ customer })).data;
  if (!subscription) throw new Error('no subscription');
  return { j, client, customer, subscriptionId: subscription.id };
}

describe('billing.subscription.change', () => {
  it('upgrades now, prorated and invoiced now, and access follows at once', async () => {
    const { j, client, subscriptionId } = await subscriber('starter');
    // Half-way through the 31-day March period (Mar 1 12:00 → Apr 1 12:00).
    await j.advance(15.5 * DAY_SECONDS);

    const change = await client.billing.subscription.change.mutate({ plan: 'team' });

    expect(change).toMatchObject({ outcome: 'upgraded', plan: { code: 'team', name: 'Team' } });
    const subscription = await j.stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.items.data[0]?.price.id).toBe(await priceIdOf(j, 'team'));
    const [invoice] = (await j.stripe.invoices.list({ subscription: subscriptionId, limit: 1 }))
      .data;
    // Half a month of Team ($79) less the unused half of Starter ($29): $25, paid now.
    expect(invoice).toMatchObject({ billing_reason: 'subscription_update', status: 'paid' });
    expect(invoice?.amount_paid).toBe(2_500);
    await j.settle();
    expect(await client.billing.subscription.current.query()).toMatchObject({
      plan: { code: 'team' },
      price: { amountCents: 7_900 },
      pendingChange: null,
    });
    expect(await client.billing.access.query()).toMatchObject({
      level: 'premium',
      plan: { code: 'team' },
      entitlements: expect.arrayContaining(['priority_support']),
    });
  });

  it('downgrades at the end of the paid period through a subscription schedule, shown as pending until then', async () => {
    const { j, client, subscriptionId } = await subscriber('team');
    const periodEnd = new Date(Date.UTC(2026, 3, 1, 12));

    const change = await client.billing.subscription.change.mutate({ plan: 'starter' });

    expect(change).toEqual({
      outcome: 'downgrade_scheduled',
      plan: { code: 'starter', name: 'Starter' },
      effectiveAt: periodEnd.toISOString(),
    });
    const subscription = await j.stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.items.data[0]?.price.id).toBe(await priceIdOf(j, 'team'));
    if (typeof subscription.schedule !== 'string') throw new Error('no schedule');
    const schedule = await j.stripe.subscriptionSchedules.retrieve(subscription.schedule);
    expect(schedule.end_behavior).toBe('release');
    expect(
      schedule.phases.map((phase) => [phase.items[0]?.price, phase.start_date, phase.end_date]),
    ).toEqual([
      [await priceIdOf(j, 'team'), j.t.clock.now().getTime() / 1000, periodEnd.getTime() / 1000],
      [await priceIdOf(j, 'starter'), periodEnd.getTime() / 1000, expect.any(Number)],
    ]);
    await j.settle();
    expect(await client.billing.subscription.current.query()).toMatchObject({
      plan: { code: 'team' },
      pendingChange: { plan: { code: 'starter', name: 'Starter' }, at: periodEnd.toISOString() },
    });
    // The user keeps what they paid for.
    expect(await client.billing.access.query()).toMatchObject({ plan: { code: 'team' } });

    await j.advance(31 * DAY_SECONDS + 60);

    expect(await client.billing.subscription.current.query()).toMatchObject({
      status: 'active',
      plan: { code: 'starter' },
      price: { amountCents: 2_900 },
      pendingChange: null,
    });
    const [renewal] = (await j.stripe.invoices.list({ subscription: subscriptionId, limit: 1 }))
      .data;
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', amount_paid: 2_900 });
    expect(await client.billing.access.query()).toMatchObject({ plan: { code: 'starter' } });
  });

  it('changing back to the current plan while a downgrade is pending cancels the pending change', async () => {
    const { j, client, subscriptionId } = await subscriber('scale');
    await client.billing.subscription.change.mutate({ plan: 'team' });
    const scheduled = await j.stripe.subscriptions.retrieve(subscriptionId);
    if (typeof scheduled.schedule !== 'string') throw new Error('no schedule');

    const back = await client.billing.subscription.change.mutate({ plan: 'scale' });

    expect(back).toMatchObject({ outcome: 'pending_change_canceled', plan: { code: 'scale' } });
    expect((await j.stripe.subscriptions.retrieve(subscriptionId)).schedule).toBeNull();
    expect(await j.stripe.subscriptionSchedules.retrieve(scheduled.schedule)).toMatchObject({
      status: 'released',
    });
    await j.settle();
    expect(await client.billing.subscription.current.query()).toMatchObject({
      plan: { code: 'scale' },
      pendingChange: null,
    });
    await j.advance(31 * DAY_SECONDS + 60);
    expect(await client.billing.subscription.current.query()).toMatchObject({
      plan: { code: 'scale' },
    });
  });

  it('replaces a pending downgrade by an upgrade, which applies now', async () => {
    const { j, client, subscriptionId } = await subscriber('team');
    await client.billing.subscription.change.mutate({ plan: 'starter' });

    const up = await client.billing.subscription.change.mutate({ plan: 'scale' });

    expect(up.outcome).toBe('upgraded');
    const subscription = await j.stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.schedule).toBeNull();
    expect(subscription.items.data[0]?.price.id).toBe(await priceIdOf(j, 'scale'));
    await j.settle();
    expect(await client.billing.subscription.current.query()).toMatchObject({
      plan: { code: 'scale' },
      pendingChange: null,
    });
  });

  it('moves a pending downgrade to another lower plan by rewriting the same schedule', async () => {
    const { j, client, subscriptionId } = await subscriber('enterprise');
    await client.billing.subscription.change.mutate({ plan: 'scale' });
    const first = (await j.stripe.subscriptions.retrieve(subscriptionId)).schedule;

    await client.billing.subscription.change.mutate({ plan: 'starter' });

    const subscription = await j.stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.schedule).toBe(first);
    if (typeof first !== 'string') throw new Error('no schedule');
    const schedule = await j.stripe.subscriptionSchedules.retrieve(first);
    expect(schedule.phases.map((phase) => phase.items[0]?.price)).toEqual([
      await priceIdOf(j, 'enterprise'),
      await priceIdOf(j, 'starter'),
    ]);
  });

  it.each([
    ['the current plan with nothing pending', 'team', 'BAD_REQUEST', 'SAME_PLAN'],
    ['the free plan', 'free', 'BAD_REQUEST', 'PLAN_NOT_PURCHASABLE'],
    ['an unknown plan', 'gold', 'NOT_FOUND', 'PLAN_NOT_FOUND'],
  ] as const)('refuses %s', async (_label, plan, code, appCode) => {
    const { client } = await subscriber('team');

    expect(await failure(client.billing.subscription.change.mutate({ plan }))).toMatchObject({
      code,
      appCode,
    });
  });

  it('upgrades a subscription set to end (it still ends then) but refuses to downgrade it', async () => {
    const { j, client, subscriptionId } = await subscriber('team');
    await client.billing.subscription.cancel.mutate();

    const down = await failure(client.billing.subscription.change.mutate({ plan: 'starter' }));
    const up = await client.billing.subscription.change.mutate({ plan: 'scale' });

    expect(down).toMatchObject({ code: 'CONFLICT', appCode: 'SUBSCRIPTION_ENDING' });
    expect(down.message).toContain('billing.subscription.resume');
    expect(up.outcome).toBe('upgraded');
    expect(await j.stripe.subscriptions.retrieve(subscriptionId)).toMatchObject({
      cancel_at_period_end: true,
      schedule: null,
    });
  });

  it('refuses a user without a subscription, pointing at checkout', async () => {
    const j = await createJourneyApp();
    const { client } = await signUpCustomer(j.t);

    const refused = await failure(client.billing.subscription.change.mutate({ plan: 'team' }));

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'NO_SUBSCRIPTION' });
    expect(refused.message).toContain('billing.checkout.create');
  });
});
