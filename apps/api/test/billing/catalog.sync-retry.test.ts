import { describe, expect, it } from 'vitest';
import { stripeProductIdFor } from '../../src/billing/catalog/plan-sync';
import {
  allProducts,
  createBillingTestApp,
  makeRetriesDue,
  pricesOf,
  queuedJobs,
  signInAdmin,
} from './billing-testing';

const PLAN = { code: 'pro', name: 'Pro', priceCents: 4_900, includedOperations: 1_000 };

async function syncOf(client: Awaited<ReturnType<typeof signInAdmin>>['client']) {
  const plans = await client.billing.plans.adminList.query();
  return plans.find((plan) => plan.code === 'pro');
}

describe('a plan sync that fails', () => {
  it('is retried by the job queue and, when Stripe made the price but its answer was lost, still leaves one price', async () => {
    const { t, stripe, proxy } = await createBillingTestApp({ proxy: true });
    const { client } = await signInAdmin(t);
    const created = await client.billing.plans.create.mutate(PLAN);
    // The attempt and the SDK's own retry of the cut connection (same idempotency key).
    proxy?.loseResponses('POST', '/v1/prices', 2);

    await t.drainJobs();

    // Stripe holds the price; we never heard back.
    const productId = stripeProductIdFor(created.id);
    expect(await pricesOf(stripe, productId)).toHaveLength(1);
    const failed = await syncOf(client);
    expect(failed?.sync).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed?.sync.lastError).toMatch(/^Stripe StripeConnectionError/);
    expect(failed?.stripe.priceId).toBeNull();
    const [job] = await queuedJobs(t, 'billing_sync_plan');
    expect(job).toMatchObject({ attempts: 1, key: `billing_sync_plan:${created.id}` });

    await makeRetriesDue(t);
    await t.drainJobs();

    const prices = await pricesOf(stripe, productId);
    expect(prices).toHaveLength(1);
    expect(await allProducts(stripe)).toHaveLength(1);
    const synced = await syncOf(client);
    expect(synced?.sync).toMatchObject({ state: 'synced', attempts: 0, lastError: null });
    expect(synced?.stripe.priceId).toBe(prices[0]?.id);
    expect(await queuedJobs(t, 'billing_sync_plan')).toEqual([]);
  });

  it('does not make a second product when the answer to its creation was lost', async () => {
    const { t, stripe, proxy } = await createBillingTestApp({ proxy: true });
    const { client } = await signInAdmin(t);
    await client.billing.plans.create.mutate(PLAN);
    proxy?.loseResponses('POST', '/v1/products', 2);

    await t.drainJobs();
    expect((await syncOf(client))?.sync.state).toBe('failed');
    await makeRetriesDue(t);
    await t.drainJobs();

    const products = await allProducts(stripe);
    expect(products).toHaveLength(1);
    expect(await pricesOf(stripe, products[0]?.id ?? '')).toHaveLength(1);
    expect((await syncOf(client))?.sync.state).toBe('synced');
  });

  it('shows failed with the error while Stripe is unreachable, backs off, and syncs once when it is back', async () => {
    const { t, stripe, proxy } = await createBillingTestApp({ proxy: true });
    const { client } = await signInAdmin(t);
    proxy?.setDown(true);
    await client.billing.plans.create.mutate(PLAN);
    const before = new Date();

    await t.drainJobs();
    await makeRetriesDue(t);
    await t.drainJobs();

    const failed = await syncOf(client);
    expect(failed?.sync).toMatchObject({ state: 'failed', attempts: 2 });
    expect(failed?.sync.lastError).toMatch(/connection to Stripe/i);
    const [job] = await queuedJobs(t, 'billing_sync_plan');
    expect(job?.attempts).toBe(2);
    expect(job?.run_at.getTime()).toBeGreaterThan(before.getTime());
    expect(await allProducts(stripe)).toEqual([]);

    proxy?.setDown(false);
    await makeRetriesDue(t);
    await t.drainJobs();

    expect(await allProducts(stripe)).toHaveLength(1);
    expect((await syncOf(client))?.sync).toMatchObject({
      state: 'synced',
      attempts: 0,
      lastError: null,
    });
    expect(await queuedJobs(t, 'billing_sync_plan')).toEqual([]);
  });
});
