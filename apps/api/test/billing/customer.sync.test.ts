import { describe, expect, it } from 'vitest';
import { queuedJobs } from './billing-testing';
import { createJourneyApp, customerIdOf, signUpCustomer } from './journey-testing';

describe('the Stripe customer follows the account', () => {
  it('pushes a changed name to the customer through a job queued with the change', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t, { name: 'Ada Lovelace' });
    await client.billing.portal.create.mutate({});
    const customer = await customerIdOf(t, account.user.id);
    expect(await stripe.customers.retrieve(customer)).toMatchObject({ name: 'Ada Lovelace' });

    await client.auth.updateProfile.mutate({ name: 'Ada King' });

    expect(await queuedJobs(t, 'billing_sync_customer')).toHaveLength(1);
    await t.drainJobs();
    expect(await stripe.customers.retrieve(customer)).toMatchObject({
      name: 'Ada King',
      email: account.email,
    });
    await client.auth.updateProfile.mutate({ name: null });
    await t.drainJobs();
    expect(await stripe.customers.retrieve(customer)).toMatchObject({ name: null });
  });

  it('queues nothing when the name stays the same or the user has no customer yet', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t, { name: 'Grace Hopper' });

    await client.auth.updateProfile.mutate({ name: 'Grace B. Hopper' });
    expect(await queuedJobs(t, 'billing_sync_customer')).toEqual([]);
    await client.billing.portal.create.mutate({});
    await client.auth.updateProfile.mutate({ name: 'Grace B. Hopper', imageUrl: null });

    expect(await queuedJobs(t, 'billing_sync_customer')).toEqual([]);
    // Created with the name as it was when first needed.
    const customer = await stripe.customers.retrieve(await customerIdOf(t, account.user.id));
    expect(customer).toMatchObject({ name: 'Grace B. Hopper' });
  });
});
