import { describe, expect, it } from 'vitest';
import { seedDefaultCatalog } from '../../src/billing/catalog/default-catalog';
import { failure } from '../support/accounts';
import { createBillingTestApp } from './billing-testing';
import { signUpCustomer } from './journey-testing';

describe('billing procedures while Stripe is unreachable', () => {
  it('answer 503 STRIPE_UNAVAILABLE with a message to retry, not a scrubbed 500, and work again after', async () => {
    const { t, proxy } = await createBillingTestApp({ proxy: true });
    if (!proxy) throw new Error('no proxy');
    await seedDefaultCatalog(t.deps.db, { stripeConfigured: true });
    await t.drainJobs();
    const { client } = await signUpCustomer(t);
    proxy.setDown(true);

    const checkout = await failure(client.billing.checkout.create.mutate({ plan: 'starter' }));
    const portal = await failure(client.billing.portal.create.mutate({}));

    for (const refused of [checkout, portal]) {
      expect(refused).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        appCode: 'STRIPE_UNAVAILABLE',
        httpStatus: 503,
      });
      expect(refused.message).toMatch(/try again/);
    }
    // What needs only the mirror still answers.
    expect(await client.billing.invoices.list.query()).toEqual({ items: [], nextCursor: null });
    proxy.setDown(false);
    const retried = await client.billing.checkout.create.mutate({ plan: 'starter' });
    expect(retried.url).toContain('/c/pay/');
  });
});
