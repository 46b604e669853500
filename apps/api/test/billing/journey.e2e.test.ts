/**
 * The whole journey of a paying customer, in one test, through the real API, the real SDK,
 * the emulator's hosted checkout page (driven by form posts, as a browser would) and its
 * signed webhooks delivered to the app on a real port; mail through a real SMTP server.
 */
import { describe, expect, it } from 'vitest';
import { startTestSmtp } from '../support/smtp';
import {
  APP_URL,
  createJourneyApp,
  JOURNEY_START,
  payOnHostedPage,
  signUpCustomer,
} from './journey-testing';

const DAY_SECONDS = 86_400;
// The journey starts 2026-03-01 12:00 UTC: monthly periods end on the 1st at 12:00.
const APRIL_1 = new Date(Date.UTC(2026, 3, 1, 12)).toISOString();
const MAY_1 = new Date(Date.UTC(2026, 4, 1, 12)).toISOString();

describe('the customer journey', () => {
  it('register → plans → checkout → pay → premium → invoices → upgrade → downgrade → cancel → free, with mail', async () => {
    const smtp = await startTestSmtp();
    const j = await createJourneyApp({ webhooks: true, env: { SMTP_URL: smtp.url } });
    const { t, stripe } = j;

    // Register and look at the pricing page.
    const { account, client } = await signUpCustomer(t, { name: 'Jo Customer' });
    const plans = await client.billing.plans.list.query();
    expect(plans.map((plan) => [plan.code, plan.price.amountCents])).toEqual([
      ['free', 0],
      ['starter', 2_900],
      ['team', 7_900],
      ['scale', 19_900],
      ['enterprise', 59_900],
    ]);
    expect(await client.billing.access.query()).toMatchObject({ level: 'free' });

    // Checkout on the hosted page, paid with the test card.
    const checkout = await client.billing.checkout.create.mutate({ plan: 'team' });
    const paid = await payOnHostedPage(checkout.url, { name: 'Jo Customer' });
    expect(paid).toEqual({
      status: 303,
      location: `${APP_URL}/billing/success?session_id=${checkout.sessionId}`,
    });

    // The signed webhooks arrive; the mirror says premium with Team's entitlements.
    await j.settle();
    const team = plans.find((plan) => plan.code === 'team');
    expect(await client.billing.access.query()).toEqual({
      level: 'premium',
      plan: { code: 'team', name: 'Team' },
      entitlements: team?.entitlements,
      includedOperations: 500,
      until: APRIL_1,
      status: 'active',
      quota: {
        included: 500,
        used: 0,
        remaining: 500,
        period: { start: JOURNEY_START.toISOString(), end: APRIL_1 },
      },
    });
    const received = await t.deps.db
      .selectFrom('stripe_events')
      .select(['type', 'status'])
      .where('type', '=', 'checkout.session.completed')
      .execute();
    expect(received).toEqual([{ type: 'checkout.session.completed', status: 'applied' }]);
    const invoices = await client.billing.invoices.list.query();
    expect(invoices.items).toMatchObject([
      {
        status: 'paid',
        amountPaidCents: 7_900,
        billingReason: 'subscription_create',
        hostedInvoiceUrl: expect.stringContaining('/i/'),
      },
    ]);

    // Ten days in, upgrade to Scale: prorated and invoiced now.
    await j.advance(10 * DAY_SECONDS);
    const upgrade = await client.billing.subscription.change.mutate({ plan: 'scale' });
    expect(upgrade.outcome).toBe('upgraded');
    await j.settle();
    const afterUpgrade = await client.billing.invoices.list.query();
    expect(afterUpgrade.items[0]).toMatchObject({
      billingReason: 'subscription_update',
      status: 'paid',
    });
    // 21 of 31 days of (Scale − Team) = 12,000 × 21/31 ≈ $81.29.
    expect(afterUpgrade.items[0]?.amountPaidCents).toBeGreaterThan(8_000);
    expect(afterUpgrade.items[0]?.amountPaidCents).toBeLessThan(8_200);
    expect(await client.billing.access.query()).toMatchObject({
      plan: { code: 'scale' },
      entitlements: expect.arrayContaining(['api_access']),
    });

    // Downgrade to Starter: pending until the paid period ends, then applied.
    const downgrade = await client.billing.subscription.change.mutate({ plan: 'starter' });
    expect(downgrade).toMatchObject({ outcome: 'downgrade_scheduled', effectiveAt: APRIL_1 });
    await j.settle();
    expect(await client.billing.subscription.current.query()).toMatchObject({
      plan: { code: 'scale' },
      pendingChange: { plan: { code: 'starter' }, at: APRIL_1 },
    });
    expect(await client.billing.access.query()).toMatchObject({ plan: { code: 'scale' } });
    await j.advance(21 * DAY_SECONDS + 60);
    expect(await client.billing.subscription.current.query()).toMatchObject({
      plan: { code: 'starter' },
      price: { amountCents: 2_900 },
      pendingChange: null,
      currentPeriod: { start: APRIL_1, end: MAY_1 },
    });
    expect(await client.billing.access.query()).toMatchObject({
      level: 'premium',
      plan: { code: 'starter' },
      includedOperations: 100,
    });

    // Cancel: Starter until May 1, then the free plan.
    const cancel = await client.billing.subscription.cancel.mutate();
    expect(cancel).toMatchObject({ cancelAtPeriodEnd: true, currentPeriodEnd: MAY_1 });
    await j.settle();
    expect(await client.billing.access.query()).toMatchObject({
      level: 'premium',
      until: MAY_1,
    });
    await j.advance(30 * DAY_SECONDS + 60);
    expect(await client.billing.access.query()).toMatchObject({
      level: 'free',
      plan: { code: 'free' },
      until: null,
    });
    expect(await client.billing.subscription.current.query()).toBeNull();
    const deleted = await t.deps.db
      .selectFrom('stripe_events')
      .select('status')
      .where('type', '=', 'customer.subscription.deleted')
      .execute();
    expect(deleted).toEqual([{ status: 'applied' }]);
    const customers = await stripe.customers.list({ email: account.email });
    expect(customers.data).toHaveLength(1);

    // The mail the journey caused, in order (after registration's own).
    expect(smtp.to(account.email).map((mail) => mail.subject)).toEqual([
      'Confirm your Tollbooth email address',
      expect.stringMatching(/Team subscription has started/),
      expect.stringMatching(/plan is now Scale/),
      expect.stringMatching(/plan is now Starter/),
      expect.stringMatching(/subscription ends on/),
      expect.stringMatching(/Starter subscription has ended/),
    ]);
  });
});
