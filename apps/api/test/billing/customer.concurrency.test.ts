import { describe, expect, it } from 'vitest';
import { ensureStripeCustomer } from '../../src/billing/customers/stripe-customer';
import { createJourneyApp, customerIdOf, payOnHostedPage, signUpCustomer } from './journey-testing';

describe('one Stripe customer per user', () => {
  it('two concurrent first checkouts create one customer, stored on the user', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);

    const [a, b] = await Promise.all([
      client.billing.checkout.create.mutate({ plan: 'starter' }),
      client.billing.checkout.create.mutate({ plan: 'team' }),
    ]);

    const customers = await stripe.customers.list({ email: account.email, limit: 10 });
    expect(customers.data.map((customer) => customer.id)).toEqual([
      await customerIdOf(t, account.user.id),
    ]);
    const sessions = await Promise.all(
      [a, b].map((checkout) => stripe.checkout.sessions.retrieve(checkout.sessionId)),
    );
    expect(sessions.map((session) => session.customer)).toEqual([
      customers.data[0]?.id,
      customers.data[0]?.id,
    ]);
  });

  it('four concurrent first needs of a customer create one, and every caller gets its id', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account } = await signUpCustomer(t);

    // Straight at the service: four requests that all read "no customer yet" before any
    // writes one (the API's own request handling happens to spread them out).
    const ids = await Promise.all(
      [1, 2, 3, 4].map(() => ensureStripeCustomer(t.deps, { id: account.user.id })),
    );

    const customers = await stripe.customers.list({ email: account.email, limit: 10 });
    expect(customers.data).toHaveLength(1);
    expect(new Set(ids)).toEqual(new Set([await customerIdOf(t, account.user.id)]));
  });

  it('adopts a customer an earlier attempt made but never linked (found by email and metadata)', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);
    const orphan = await stripe.customers.create({
      email: account.email,
      metadata: { userId: account.user.id },
    });
    // Someone else's customer with the same address is not ours to take.
    await stripe.customers.create({ email: account.email, metadata: { userId: 'someone-else' } });

    await client.billing.checkout.create.mutate({ plan: 'starter' });

    expect(await customerIdOf(t, account.user.id)).toBe(orphan.id);
    expect((await stripe.customers.list({ email: account.email })).data).toHaveLength(2);
  });

  it('leaves only the newest of two concurrent checkouts payable, so at most one subscription starts', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);

    const checkouts = await Promise.all([
      client.billing.checkout.create.mutate({ plan: 'starter' }),
      client.billing.checkout.create.mutate({ plan: 'team' }),
    ]);
    const sessions = await Promise.all(
      checkouts.map((checkout) => stripe.checkout.sessions.retrieve(checkout.sessionId)),
    );
    expect(sessions.map((session) => session.status).sort()).toEqual(['expired', 'open']);
    const open = checkouts[sessions.findIndex((session) => session.status === 'open')];
    const expired = checkouts[sessions.findIndex((session) => session.status === 'expired')];
    if (!open || !expired) throw new Error('expected one open and one expired session');
    // A tab still showing the older page submits its form: refused, nothing is charged.
    const stale = await fetch(expired.url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'pay', card: 'visa' }),
      redirect: 'manual',
    });
    expect(stale.status).toBe(409);
    expect((await payOnHostedPage(open.url)).status).toBe(303);
    const customer = await customerIdOf(t, account.user.id);
    const subscriptions = await stripe.subscriptions.list({ customer, status: 'all' });
    expect(subscriptions.data).toHaveLength(1);
  });

  it('reuses the stored customer for every later checkout and portal session', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);

    await client.billing.checkout.create.mutate({ plan: 'starter' });
    await client.billing.portal.create.mutate({});
    await client.billing.checkout.create.mutate({ plan: 'team' });

    const customers = await stripe.customers.list({ email: account.email, limit: 10 });
    expect(customers.data).toHaveLength(1);
  });
});
