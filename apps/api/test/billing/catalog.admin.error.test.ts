import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';
import { createBillingTestApp, queuedJobs, signInAdmin } from './billing-testing';

const VALID = { code: 'pro', name: 'Pro', priceCents: 4_900, includedOperations: 1_000 };

type Client = ReturnType<TestApp['client']>;

/** Every admin procedure of billing.plans, called with input that would otherwise succeed. */
const ADMIN_CALLS: Array<[string, (client: Client) => Promise<unknown>]> = [
  ['adminList', (client) => client.billing.plans.adminList.query()],
  ['create', (client) => client.billing.plans.create.mutate(VALID)],
  ['update', (client) => client.billing.plans.update.mutate({ code: 'starter', name: 'Mine' })],
  ['archive', (client) => client.billing.plans.archive.mutate({ code: 'starter' })],
  ['resync', (client) => client.billing.plans.resync.mutate({ code: 'starter' })],
];

describe('billing.plans admin procedures refuse', () => {
  it.each(ADMIN_CALLS)(
    '%s: a signed-in user who is not an admin, with 403',
    async (_name, call) => {
      const { t } = await createBillingTestApp();
      const account = await registerAccount(t);

      const refused = await failure(
        call(t.client({ accessToken: account.accessToken, batch: false })),
      );

      expect(refused).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN', httpStatus: 403 });
      expect(await queuedJobs(t, 'billing_sync_plan')).toEqual([]);
    },
  );

  it.each(ADMIN_CALLS)('%s: an anonymous caller, with 401', async (_name, call) => {
    const { t } = await createBillingTestApp();

    const refused = await failure(call(t.client({ batch: false })));

    expect(refused).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
  });

  it.each([
    ['a zero price (only the free tier is free)', { ...VALID, priceCents: 0 }, 'priceCents'],
    ['a fractional price (cents are integers)', { ...VALID, priceCents: 29.5 }, 'priceCents'],
    ['a price beyond Stripe’s 8 digits', { ...VALID, priceCents: 100_000_000 }, 'priceCents'],
    ['a code with spaces and capitals', { ...VALID, code: 'Pro Plan' }, 'code'],
    ['the free tier’s code', { ...VALID, code: 'free' }, 'code'],
    ['an empty name', { ...VALID, name: '   ' }, 'name'],
    ['a weekly interval', { ...VALID, interval: 'week' }, 'interval'],
    ['a currency that is not ISO', { ...VALID, currency: 'dollars' }, 'currency'],
    ['a malformed entitlement key', { ...VALID, entitlements: ['API Access'] }, 'entitlements.0'],
    ['negative included operations', { ...VALID, includedOperations: -1 }, 'includedOperations'],
  ])('create with %s: 400 VALIDATION_FAILED naming the field', async (_case, input, field) => {
    const { t } = await createBillingTestApp();
    const { client } = await signInAdmin(t);

    // @ts-expect-error: deliberately invalid input, as a client without our types could send.
    const refused = await failure(client.billing.plans.create.mutate(input));

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(Object.keys(refused.data.fieldErrors ?? {})).toEqual([field]);
    expect(await queuedJobs(t, 'billing_sync_plan')).toEqual([]);
  });

  it.each([
    ['a price for the free tier', { code: 'free', priceCents: 100 }, 'priceCents'],
    [
      'an overage price for the free tier',
      { code: 'free', overagePriceCents: 5 },
      'overagePriceCents',
    ],
    ['a negative overage price', { code: 'starter', overagePriceCents: -8 }, 'overagePriceCents'],
  ])('update with %s: 400 VALIDATION_FAILED naming the field', async (_case, input, field) => {
    const { t } = await createBillingTestApp();
    const { client } = await signInAdmin(t);

    const refused = await failure(client.billing.plans.update.mutate(input));

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(Object.keys(refused.data.fieldErrors ?? {})).toEqual([field]);
  });

  it('archiving the free tier: 400 VALIDATION_FAILED on code', async () => {
    const { t } = await createBillingTestApp();
    const { client } = await signInAdmin(t);

    const refused = await failure(client.billing.plans.archive.mutate({ code: 'free' }));

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(refused.data.fieldErrors?.code).toBeDefined();
    expect((await t.client().billing.plans.get.query({ code: 'free' })).active).toBe(true);
  });

  it('a change to an unknown plan: 404 PLAN_NOT_FOUND', async () => {
    const { t } = await createBillingTestApp();
    const { client } = await signInAdmin(t);

    const refused = await failure(
      client.billing.plans.update.mutate({ code: 'platinum', name: 'X' }),
    );

    expect(refused).toMatchObject({ code: 'NOT_FOUND', appCode: 'PLAN_NOT_FOUND' });
  });

  it('a change to an archived plan: 409 PLAN_ARCHIVED; archiving it again changes nothing', async () => {
    const { t } = await createBillingTestApp();
    const { client } = await signInAdmin(t);
    await client.billing.plans.create.mutate(VALID);
    const archived = await client.billing.plans.archive.mutate({ code: 'pro' });

    const refused = await failure(
      client.billing.plans.update.mutate({ code: 'pro', priceCents: 100 }),
    );
    const again = await client.billing.plans.archive.mutate({ code: 'pro' });

    expect(refused).toMatchObject({ code: 'CONFLICT', appCode: 'PLAN_ARCHIVED' });
    expect(again).toMatchObject({ version: archived.version, archivedAt: archived.archivedAt });
  });
});

describe('billing.plans without Stripe configured', () => {
  it('answers BILLING_DISABLED to a change that would need Stripe, and queues nothing', async () => {
    const t = await createTestApp();
    const { client } = await signInAdmin(t);

    const refused = await failure(client.billing.plans.create.mutate(VALID));

    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', appCode: 'BILLING_DISABLED' });
    expect(refused.message).toContain('STRIPE_SECRET_KEY');
    expect(await queuedJobs(t, 'billing_sync_plan')).toEqual([]);
  });

  it('still lets an admin edit the free tier, which is never sent to Stripe', async () => {
    const t = await createTestApp();
    const { client } = await signInAdmin(t);

    const updated = await client.billing.plans.update.mutate({
      code: 'free',
      includedOperations: 10,
      entitlements: ['basic_analysis'],
    });

    expect(updated).toMatchObject({ includedOperations: 10, version: 2, sync: { state: 'local' } });
    expect(await queuedJobs(t, 'billing_sync_plan')).toEqual([]);
  });
});
