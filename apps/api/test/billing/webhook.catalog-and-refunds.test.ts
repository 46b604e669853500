/**
 * The other handled events: refunds land in the mirror (billing.history reads them), the
 * catalog reflects prices and products changed in the Stripe dashboard, customer.updated
 * links a customer carrying our metadata, and a customer of no account is ignored, not failed.
 */
import { describe, expect, it } from 'vitest';
import { registerAccount } from '../support/accounts';
import {
  createPaidPlans,
  createWebhookTestApp,
  storedEvents,
  subscribedUser,
  type WebhookTest,
} from './webhook-testing';

async function teamPlan(w: WebhookTest) {
  return w.t.deps.db
    .selectFrom('plans')
    .selectAll()
    .where('code', '=', 'team')
    .executeTakeFirstOrThrow();
}

describe('webhook: refunds, the dashboard, customers', () => {
  it('records each refund of a charge once, with its account', async () => {
    const w = await createWebhookTestApp();
    const prices = await createPaidPlans(w);
    const { userId, customer } = await subscribedUser(w, prices.team);
    const [charge] = (await w.stripe.charges.list({ customer })).data;
    if (!charge) throw new Error('the checkout made no charge');

    await w.stripe.refunds.create({ charge: charge.id, amount: 1_000 });
    await w.settled();
    await w.stripe.refunds.create({ charge: charge.id, amount: 500 });
    await w.settled();

    const refunds = await w.t.deps.db
      .selectFrom('refunds')
      .select(['user_id', 'amount', 'stripe_charge_id', 'status'])
      .orderBy('amount', 'desc')
      .execute();
    expect(refunds).toEqual([
      { user_id: userId, amount: 1_000, stripe_charge_id: charge.id, status: 'succeeded' },
      { user_id: userId, amount: 500, stripe_charge_id: charge.id, status: 'succeeded' },
    ]);
    const audited = await w.t.deps.db
      .selectFrom('audit_log')
      .select('metadata')
      .where('event_type', '=', 'billing.refund_recorded')
      .execute();
    expect(audited).toHaveLength(2);
  });

  it('records a price made in the dashboard for a plan, and its deactivation', async () => {
    const w = await createWebhookTestApp();
    await createPaidPlans(w);
    const plan = await teamPlan(w);
    const price = await w.stripe.prices.create({
      product: plan.stripe_product_id ?? '',
      currency: 'usd',
      unit_amount: 8_900,
      recurring: { interval: 'month' },
    });
    await w.settled();
    const recorded = () =>
      w.t.deps.db
        .selectFrom('plan_prices')
        .select(['plan_id', 'amount_cents', 'active', 'plan_version'])
        .where('stripe_price_id', '=', price.id)
        .executeTakeFirst();
    expect(await recorded()).toEqual({
      plan_id: plan.id,
      amount_cents: 8_900,
      active: true,
      plan_version: null,
    });

    await w.stripe.prices.update(price.id, { active: false });
    await w.settled();
    expect(await recorded()).toMatchObject({ active: false });
  });

  it('archives and restores a plan whose product is switched off and on in the dashboard', async () => {
    const w = await createWebhookTestApp();
    await createPaidPlans(w);
    const plan = await teamPlan(w);

    await w.stripe.products.update(plan.stripe_product_id ?? '', { active: false });
    await w.settled();
    expect(await teamPlan(w)).toMatchObject({ active: false, archived_at: expect.any(Date) });
    expect((await w.t.client().billing.plans.list.query()).map((p) => p.code)).not.toContain(
      'team',
    );

    await w.stripe.products.update(plan.stripe_product_id ?? '', { active: true });
    await w.settled();
    expect(await teamPlan(w)).toMatchObject({ active: true, archived_at: null });
  });

  it('leaves a plan with a change still syncing alone: our change is newer than the dashboard flag', async () => {
    const w = await createWebhookTestApp();
    await createPaidPlans(w);
    const plan = await teamPlan(w);
    await w.admin.billing.plans.update.mutate({ code: 'team', name: 'Team Plus' });

    await w.stripe.products.update(plan.stripe_product_id ?? '', { active: false });
    await w.settled();
    expect(await teamPlan(w)).toMatchObject({ active: true, sync_state: 'pending' });
    const events = await storedEvents(w);
    expect(events.at(-1)).toMatchObject({
      type: 'product.updated',
      status: 'ignored',
      error: 'plan team has a change of its own still syncing',
    });
  });

  it('links a customer that carries our metadata on customer.updated', async () => {
    const w = await createWebhookTestApp();
    const account = await registerAccount(w.t);
    const customer = await w.stripe.customers.create({
      email: account.email,
      metadata: { tollbooth_user_id: account.user.id },
    });
    await w.stripe.customers.update(customer.id, { name: 'Ada' });
    await w.settled();
    const user = await w.t.deps.db
      .selectFrom('users')
      .select('stripe_customer_id')
      .where('id', '=', account.user.id)
      .executeTakeFirstOrThrow();
    expect(user.stripe_customer_id).toBe(customer.id);
  });

  it('ignores, with the reason, a subscription of a customer that belongs to no account', async () => {
    const w = await createWebhookTestApp();
    const prices = await createPaidPlans(w);
    const customer = await w.stripe.customers.create({ email: 'dashboard@example.test' });
    const session = await w.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: prices.team, quantity: 1 }],
      success_url: 'http://localhost:3001/billing',
    });
    w.emulator.completeCheckout(session.id);
    await w.settled();
    const subscriptionEvents = (await storedEvents(w)).filter((event) =>
      event.type.startsWith('customer.subscription.'),
    );
    expect(subscriptionEvents.length).toBeGreaterThan(0);
    for (const event of subscriptionEvents) {
      expect(event).toMatchObject({
        status: 'ignored',
        error: `customer ${customer.id} belongs to no account`,
      });
    }
    expect(await w.t.deps.db.selectFrom('subscriptions').select('id').execute()).toEqual([]);
  });
});
