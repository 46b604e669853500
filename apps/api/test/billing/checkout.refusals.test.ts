import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { failure } from '../support/accounts';
import { createJourneyApp, customerIdOf, signUpCustomer, subscribe } from './journey-testing';

describe('billing.checkout.create refuses what it must not sell', () => {
  it('answers ALREADY_SUBSCRIBED to a user whose subscription is live in Stripe, before any webhook', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);
    await subscribe(client, 'starter');

    const second = await failure(client.billing.checkout.create.mutate({ plan: 'team' }));

    expect(second).toMatchObject({ code: 'CONFLICT', appCode: 'ALREADY_SUBSCRIBED' });
    expect(second.message).toMatch(/billing\.subscription\.change|billing portal/);
    const customer = await customerIdOf(t, account.user.id);
    const open = await stripe.checkout.sessions.list({ customer, status: 'open' });
    expect(open.data).toEqual([]);
  });

  it('answers ALREADY_SUBSCRIBED from the mirror alone (a live row, whatever Stripe lists)', async () => {
    const { t } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);
    const plan = await t.deps.db
      .selectFrom('plans')
      .select('id')
      .where('code', '=', 'team')
      .executeTakeFirstOrThrow();
    await t.deps.db
      .insertInto('subscriptions')
      .values({
        id: 'sub_mirroredonly',
        user_id: account.user.id,
        stripe_customer_id: 'cus_mirroredonly',
        status: 'past_due',
        plan_id: plan.id,
        stripe_created: t.clock.now(),
        synced_at: t.clock.now(),
      })
      .execute();

    const refused = await failure(client.billing.checkout.create.mutate({ plan: 'starter' }));

    expect(refused).toMatchObject({ code: 'CONFLICT', appCode: 'ALREADY_SUBSCRIBED' });
  });

  it.each([
    ['the free plan', 'free', 'BAD_REQUEST', 'PLAN_NOT_PURCHASABLE'],
    ['an unknown plan', 'platinum', 'NOT_FOUND', 'PLAN_NOT_FOUND'],
  ] as const)('refuses %s by field', async (_label, plan, code, appCode) => {
    const { t } = await createJourneyApp();
    const { client } = await signUpCustomer(t);

    const refused = await failure(client.billing.checkout.create.mutate({ plan }));

    expect(refused).toMatchObject({ code, appCode });
    expect(refused.data.fieldErrors).toHaveProperty('plan');
  });

  it('refuses an archived plan, saying it is no longer offered', async () => {
    const { t } = await createJourneyApp();
    const { client } = await signUpCustomer(t);
    await t.deps.db
      .updateTable('plans')
      .set({ active: false, archived_at: t.clock.now() })
      .where('code', '=', 'scale')
      .execute();

    const refused = await failure(client.billing.checkout.create.mutate({ plan: 'scale' }));

    expect(refused).toMatchObject({ code: 'CONFLICT', appCode: 'PLAN_ARCHIVED' });
    expect(refused.message).toContain('no longer offered');
  });

  it('refuses a plan whose new price is not in Stripe yet, rather than selling the old one', async () => {
    const { t } = await createJourneyApp();
    const { client } = await signUpCustomer(t);
    // An admin's price change, its sync still queued: plans.stripe_price_id is the old price.
    await t.deps.db
      .updateTable('plans')
      .set({ price_cents: 3_900, sync_state: 'pending' })
      .where('code', '=', 'starter')
      .execute();

    const refused = await failure(client.billing.checkout.create.mutate({ plan: 'starter' }));

    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', appCode: 'PLAN_NOT_SYNCED' });
  });

  it('rejects malformed input with field errors, never a 500', async () => {
    const { t } = await createJourneyApp();
    const { client } = await signUpCustomer(t);

    const refused = await failure(
      client.billing.checkout.create.mutate({ plan: 'Not A Code!', successUrl: '' }),
    );

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(Object.keys(refused.data.fieldErrors ?? {}).sort()).toEqual(['plan', 'successUrl']);
  });

  it('answers BILLING_DISABLED when Stripe is not configured', async () => {
    const t = await createTestApp();
    const { client } = await signUpCustomer(t);

    const refused = await failure(client.billing.checkout.create.mutate({ plan: 'starter' }));

    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', appCode: 'BILLING_DISABLED' });
  });
});
