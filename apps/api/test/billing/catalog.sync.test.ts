import { describe, expect, it } from 'vitest';
import { stripeProductIdFor } from '../../src/billing/catalog/plan-sync';
import { findPlanByStripePriceId } from '../../src/billing/catalog/plans.queries';
import { failure } from '../support/accounts';
import {
  allProducts,
  createBillingTestApp,
  pricesOf,
  queuedJobs,
  signInAdmin,
} from './billing-testing';

const PRO = {
  code: 'pro',
  name: 'Pro',
  description: 'For growing teams.',
  priceCents: 4_900,
  includedOperations: 1_000,
  overagePriceCents: 8,
  entitlements: ['api_access', 'priority_support'],
};

async function adminPlan(client: Awaited<ReturnType<typeof signInAdmin>>['client'], code: string) {
  const plans = await client.billing.plans.adminList.query();
  const plan = plans.find((candidate) => candidate.code === code);
  if (!plan) throw new Error(`no plan ${code}`);
  return plan;
}

describe('plan catalog sync to Stripe', () => {
  it('creates exactly one product and one price for a new plan, from a job queued with the change', async () => {
    const { t, stripe } = await createBillingTestApp();
    const { client } = await signInAdmin(t);

    const created = await client.billing.plans.create.mutate(PRO);

    expect(created.sync).toMatchObject({ state: 'pending', attempts: 0, lastError: null });
    expect(await queuedJobs(t, 'billing_sync_plan')).toHaveLength(1);
    expect(await allProducts(stripe)).toEqual([]);

    await t.drainJobs();

    const products = await allProducts(stripe);
    expect(products.map((product) => [product.id, product.name, product.active])).toEqual([
      [stripeProductIdFor(created.id), 'Pro', true],
    ]);
    expect(products[0]?.metadata).toEqual({
      tollbooth_plan_id: created.id,
      tollbooth_plan_code: 'pro',
    });
    const prices = await pricesOf(stripe, stripeProductIdFor(created.id));
    expect(
      prices.map((price) => [
        price.unit_amount,
        price.currency,
        price.recurring?.interval,
        price.active,
      ]),
    ).toEqual([[4_900, 'usd', 'month', true]]);
    const synced = await adminPlan(client, 'pro');
    expect(synced.sync).toMatchObject({
      state: 'synced',
      syncedVersion: 1,
      lastError: null,
      attempts: 0,
    });
    expect(synced.stripe).toEqual({ productId: products[0]?.id, priceId: prices[0]?.id });
    expect(await queuedJobs(t, 'billing_sync_plan')).toEqual([]);
  });

  it('syncs an unchanged plan again without a second product or price', async () => {
    const { t, stripe } = await createBillingTestApp();
    const { client } = await signInAdmin(t);
    const created = await client.billing.plans.create.mutate(PRO);
    await t.drainJobs();

    await client.billing.plans.resync.mutate({ code: 'pro' });
    await client.billing.plans.resync.mutate({ code: 'pro' });
    expect(await queuedJobs(t, 'billing_sync_plan')).toHaveLength(1);
    await t.drainJobs();

    expect(await allProducts(stripe)).toHaveLength(1);
    expect(await pricesOf(stripe, stripeProductIdFor(created.id))).toHaveLength(1);
    expect((await adminPlan(client, 'pro')).prices).toHaveLength(1);
  });

  it('on a price change, creates a new active price, deactivates the old one, and still maps the old id to the plan', async () => {
    const { t, stripe } = await createBillingTestApp();
    const { client } = await signInAdmin(t);
    const created = await client.billing.plans.create.mutate(PRO);
    await t.drainJobs();
    const oldPriceId = (await adminPlan(client, 'pro')).stripe.priceId ?? '';

    const updated = await client.billing.plans.update.mutate({ code: 'pro', priceCents: 5_900 });
    expect(updated).toMatchObject({ version: 2, sync: { state: 'pending' } });
    await t.drainJobs();

    const prices = await pricesOf(stripe, stripeProductIdFor(created.id));
    const byId = new Map(prices.map((price) => [price.id, price]));
    const plan = await adminPlan(client, 'pro');
    expect(prices).toHaveLength(2);
    expect(plan.stripe.priceId).not.toBe(oldPriceId);
    expect(byId.get(plan.stripe.priceId ?? '')).toMatchObject({ unit_amount: 5_900, active: true });
    expect(byId.get(oldPriceId)).toMatchObject({ unit_amount: 4_900, active: false });
    expect(
      plan.prices.map((price) => [price.stripePriceId, price.amountCents, price.active]),
    ).toEqual([
      [plan.stripe.priceId, 5_900, true],
      [oldPriceId, 4_900, false],
    ]);
    expect((await findPlanByStripePriceId(t.deps.db, oldPriceId))?.code).toBe('pro');
    expect(plan.sync).toMatchObject({ state: 'synced', syncedVersion: 2 });
    expect((await client.billing.plans.get.query({ code: 'pro' })).price.amountCents).toBe(5_900);
  });

  it('renames the product on a change that leaves the price alone, keeping the one price', async () => {
    const { t, stripe } = await createBillingTestApp();
    const { client } = await signInAdmin(t);
    const created = await client.billing.plans.create.mutate(PRO);
    await t.drainJobs();

    await client.billing.plans.update.mutate({
      code: 'pro',
      name: 'Pro Plus',
      includedOperations: 1_500,
    });
    await t.drainJobs();

    const product = await stripe.products.retrieve(stripeProductIdFor(created.id));
    expect(product.name).toBe('Pro Plus');
    expect(await pricesOf(stripe, product.id)).toHaveLength(1);
    expect((await adminPlan(client, 'pro')).sync).toMatchObject({
      state: 'synced',
      syncedVersion: 2,
    });
  });

  it('archives: the product turns inactive, the plan leaves the list and stays readable by code', async () => {
    const { t, stripe } = await createBillingTestApp();
    const { client } = await signInAdmin(t);
    const created = await client.billing.plans.create.mutate(PRO);
    await t.drainJobs();

    const archived = await client.billing.plans.archive.mutate({ code: 'pro' });
    await t.drainJobs();

    expect(archived.archivedAt).not.toBeNull();
    expect((await stripe.products.retrieve(stripeProductIdFor(created.id))).active).toBe(false);
    // The price stays active: subscribers on it keep being billed until they change plan.
    expect((await pricesOf(stripe, stripeProductIdFor(created.id))).map((p) => p.active)).toEqual([
      true,
    ]);
    const listed = await t.client().billing.plans.list.query();
    expect(listed.map((plan) => plan.code)).not.toContain('pro');
    expect(await t.client().billing.plans.get.query({ code: 'pro' })).toMatchObject({
      code: 'pro',
      active: false,
      price: { amountCents: 4_900 },
    });
    expect((await adminPlan(client, 'pro')).sync.state).toBe('synced');
  });

  it('queues nothing for a change that failed, and audits the changes that committed', async () => {
    const { t } = await createBillingTestApp();
    const { client, account } = await signInAdmin(t);
    await client.billing.plans.create.mutate(PRO);
    await t.drainJobs();

    const taken = await failure(client.billing.plans.create.mutate({ ...PRO, name: 'Pro again' }));
    await client.billing.plans.update.mutate({ code: 'pro', priceCents: PRO.priceCents });

    expect(taken).toMatchObject({ code: 'CONFLICT', appCode: 'PLAN_CODE_TAKEN' });
    expect(taken.data.fieldErrors?.code).toBeDefined();
    // The update changed nothing (same price): no new version, no sync queued.
    expect(await queuedJobs(t, 'billing_sync_plan')).toEqual([]);
    expect((await adminPlan(client, 'pro')).version).toBe(1);
    const audit = await t.deps.db
      .selectFrom('audit_log')
      .select(['event_type', 'source', 'user_id', 'metadata'])
      .where('source', '=', 'billing')
      .execute();
    expect(audit).toEqual([
      {
        event_type: 'billing.plan_created',
        source: 'billing',
        user_id: account.user.id,
        metadata: { plan: 'pro', version: 1, changed: null },
      },
    ]);
  });
});
