import { describe, expect, it } from 'vitest';
import { seedDefaultCatalog } from '../../src/billing/catalog/default-catalog';
import { createTestApp } from '../harness';
import { failure } from '../support/accounts';

describe('billing.plans.list', () => {
  it('lists the active plans in display order, the free tier first, with prices, allowances and entitlements', async () => {
    // Reading the catalog needs no Stripe: this app has none configured.
    const t = await createTestApp();
    await seedDefaultCatalog(t.deps.db, { stripeConfigured: false });

    const plans = await t.client().billing.plans.list.query();

    expect(
      plans.map((plan) => [plan.code, plan.price.amountCents, plan.includedOperations]),
    ).toEqual([
      ['free', 0, 0],
      ['starter', 2_900, 100],
      ['team', 7_900, 500],
      ['scale', 19_900, 2_000],
      ['enterprise', 59_900, 10_000],
    ]);
    expect(plans[1]).toEqual({
      code: 'starter',
      name: 'Starter',
      description: 'Basic analysis and email support.',
      price: { amountCents: 2_900, currency: 'usd', interval: 'month' },
      includedOperations: 100,
      overagePriceCents: 8,
      overageMode: 'credits',
      monthlyCredits: 0,
      entitlements: ['basic_analysis', 'email_support'],
      isFree: false,
      active: true,
      sortOrder: 10,
    });
    expect(plans[0]).toMatchObject({ isFree: true, overagePriceCents: null, entitlements: [] });
    // Each tier has the features of the tiers below it.
    expect(plans[4]?.entitlements).toEqual([
      'basic_analysis',
      'email_support',
      'advanced_analysis',
      'priority_support',
      'full_suite',
      'api_access',
      'dedicated_support',
      'custom_integrations',
      'support_24_7',
    ]);
  });

  it('tells nothing about Stripe or sync state to the public', async () => {
    const t = await createTestApp();
    await seedDefaultCatalog(t.deps.db, { stripeConfigured: false });

    const response = await t.fetch('http://tollbooth.test/trpc/billing.plans.list');
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(body).not.toMatch(/stripe|sync|version|tb_plan_/i);
  });

  it('answers PLAN_NOT_FOUND for an unknown code', async () => {
    const t = await createTestApp();

    const missing = await failure(t.client().billing.plans.get.query({ code: 'platinum' }));

    expect(missing).toMatchObject({ code: 'NOT_FOUND', appCode: 'PLAN_NOT_FOUND' });
  });
});
