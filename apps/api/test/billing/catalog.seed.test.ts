import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG, seedDefaultCatalog } from '../../src/billing/catalog/default-catalog';
import { stripeProductIdFor } from '../../src/billing/catalog/plan-sync';
import { createTestApp, type TestApp } from '../harness';
import {
  allProducts,
  createBillingTestApp,
  pricesOf,
  queuedJobs,
  signInAdmin,
} from './billing-testing';

const run = promisify(execFile);
const apiDir = fileURLToPath(new URL('../..', import.meta.url));

async function planRows(t: TestApp) {
  return t.deps.db.selectFrom('plans').selectAll().orderBy('code').execute();
}

describe('the default catalog (pnpm db:seed)', () => {
  it('`pnpm db:seed` run twice leaves the same rows and one queued sync per paid plan', async () => {
    const databaseUrl = await createTestDatabase();
    const t = await createTestApp({ databaseUrl });
    const seed = () =>
      run(process.execPath, ['--import', 'tsx', 'src/scripts/seed.ts'], {
        cwd: apiDir,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          DATABASE_URL: databaseUrl,
          // Only queued here, never called: nothing needs to listen on it.
          STRIPE_SECRET_KEY: 'sk_test_seed_only',
          STRIPE_API_URL: 'http://127.0.0.1:1',
        },
      });

    const first = await seed();
    const afterFirst = await planRows(t);
    const second = await seed();

    expect(first.stdout).toContain(
      'added starter, team, scale, enterprise; 4 Stripe sync(s) queued',
    );
    expect(second.stdout).toContain('every default plan exists already; 4 Stripe sync(s) queued');
    expect(await planRows(t)).toEqual(afterFirst);
    expect(afterFirst.map((plan) => [plan.code, plan.price_cents, plan.sync_state])).toEqual([
      ['enterprise', 59_900, 'pending'],
      ['free', 0, 'local'],
      ['scale', 19_900, 'pending'],
      ['starter', 2_900, 'pending'],
      ['team', 7_900, 'pending'],
    ]);
    const jobs = await queuedJobs(t, 'billing_sync_plan');
    expect(jobs.map((job) => job.key).sort()).toEqual(
      afterFirst
        .filter((plan) => plan.code !== 'free')
        .map((plan) => `billing_sync_plan:${plan.id}`)
        .sort(),
    );
  });

  it('keeps an admin’s later edits when seeded again', async () => {
    const { t } = await createBillingTestApp();
    const { client } = await signInAdmin(t);
    await seedDefaultCatalog(t.deps.db, { stripeConfigured: true });
    await client.billing.plans.update.mutate({
      code: 'starter',
      name: 'Starter+',
      priceCents: 3_900,
    });
    await client.billing.plans.archive.mutate({ code: 'team' });

    const again = await seedDefaultCatalog(t.deps.db, { stripeConfigured: true });

    expect(again.inserted).toEqual([]);
    const plans = await planRows(t);
    expect(plans).toHaveLength(DEFAULT_CATALOG.length + 1);
    expect(plans.find((plan) => plan.code === 'starter')).toMatchObject({
      name: 'Starter+',
      price_cents: 3_900,
    });
    expect(plans.find((plan) => plan.code === 'team')?.active).toBe(false);
  });

  it('without Stripe, adds the plans and queues nothing', async () => {
    const t = await createTestApp();

    const result = await seedDefaultCatalog(t.deps.db, { stripeConfigured: false });

    expect(result).toEqual({
      inserted: ['starter', 'team', 'scale', 'enterprise'],
      queuedSyncs: 0,
    });
    expect(await queuedJobs(t, 'billing_sync_plan')).toEqual([]);
  });

  it('syncs into the emulator one product and one price per paid tier, and never sends the free tier', async () => {
    const { t, stripe } = await createBillingTestApp();
    await seedDefaultCatalog(t.deps.db, { stripeConfigured: true });

    await t.drainJobs();
    // What `pnpm dev` does at every start: re-check every plan. Nothing is duplicated.
    await seedDefaultCatalog(t.deps.db, { stripeConfigured: true, resync: 'all' });
    await t.drainJobs();

    const plans = await planRows(t);
    const products = await allProducts(stripe);
    expect(products.map((product) => product.name).sort()).toEqual([
      'Enterprise',
      'Scale',
      'Starter',
      'Team',
    ]);
    for (const plan of plans.filter((candidate) => candidate.code !== 'free')) {
      const prices = await pricesOf(stripe, stripeProductIdFor(plan.id));
      expect(prices.map((price) => price.unit_amount)).toEqual([plan.price_cents]);
      expect(plan).toMatchObject({ sync_state: 'synced', stripe_price_id: prices[0]?.id });
    }
    expect(plans.find((plan) => plan.code === 'free')).toMatchObject({
      sync_state: 'local',
      stripe_product_id: null,
    });
  });
});
