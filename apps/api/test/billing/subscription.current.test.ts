import { describe, expect, it } from 'vitest';
import { createJourneyApp, signUpCustomer, subscribe } from './journey-testing';

describe('billing.subscription.current', () => {
  it('is null without a subscription', async () => {
    const { t } = await createJourneyApp();
    const { client } = await signUpCustomer(t);

    expect(await client.billing.subscription.current.query()).toBeNull();
  });

  it('shows the plan, status, period, price and renewal once the webhooks of a paid checkout arrive', async () => {
    const j = await createJourneyApp({ webhooks: true });
    const { client } = await signUpCustomer(j.t);
    await subscribe(client, 'team');
    await j.settle();

    const current = await client.billing.subscription.current.query();

    const start = j.t.clock.now();
    const end = new Date(Date.UTC(2026, 3, 1, 12));
    expect(current).toEqual({
      id: expect.stringMatching(/^sub_/),
      status: 'active',
      plan: { code: 'team', name: 'Team' },
      price: { amountCents: 7_900, currency: 'usd', interval: 'month' },
      currentPeriod: { start: start.toISOString(), end: end.toISOString() },
      cancelAtPeriodEnd: false,
      endsAt: null,
      renewsAt: end.toISOString(),
      pendingChange: null,
    });
  });
});
