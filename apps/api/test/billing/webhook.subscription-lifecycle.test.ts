/**
 * A subscription's life as the webhook mirrors it: signed deliveries from the emulator over
 * HTTP, each applied from Stripe's current state, with its mails, audit rows and
 * access.changed events.
 */
import { describe, expect, it } from 'vitest';
import { loadAccess } from '../../src/billing/access/load-access';
import {
  createPaidPlans,
  createWebhookTestApp,
  mirrorMatchesStripe,
  storedEvents,
  subscribedUser,
} from './webhook-testing';

async function accessChanges(w: Awaited<ReturnType<typeof createWebhookTestApp>>, userId: string) {
  const rows = await w.t.deps.db
    .selectFrom('domain_events')
    .select(['type', 'payload'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  return rows;
}

async function auditTypes(w: Awaited<ReturnType<typeof createWebhookTestApp>>, userId: string) {
  const rows = await w.t.deps.db
    .selectFrom('audit_log')
    .select('event_type')
    .where('user_id', '=', userId)
    .where('event_type', 'like', 'billing.%')
    .orderBy('created_at')
    .execute();
  return rows.map((row) => row.event_type);
}

/** Subjects of the mails sent to `email`, the sign-up's verification mail left out. */
function billingMailSubjects(w: Awaited<ReturnType<typeof createWebhookTestApp>>, email: string) {
  return w.smtp
    .to(email)
    .filter((message) => !message.subject.startsWith('Confirm your'))
    .map((message) => message.subject);
}

describe('webhook: a subscription from checkout to its end', () => {
  it('mirrors a paid checkout: active subscription, paid invoice, premium access, one access.changed', async () => {
    const w = await createWebhookTestApp();
    const prices = await createPaidPlans(w);
    const { userId, subscriptionId, account } = await subscribedUser(w, prices.team);

    const row = await mirrorMatchesStripe(w, subscriptionId);
    expect(row).toMatchObject({ user_id: userId, status: 'active' });
    const access = await loadAccess(w.t.deps.db, w.t.deps, userId);
    expect(access).toMatchObject({
      level: 'premium',
      plan: { code: 'team', name: 'Team' },
      entitlements: ['advanced_analysis'],
      includedOperations: 500,
      status: 'active',
      until: row.current_period_end,
    });

    const invoices = await w.t.deps.db
      .selectFrom('invoices')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({
      status: 'paid',
      total: 7_900,
      amount_paid: 7_900,
      subscription_id: subscriptionId,
      billing_reason: 'subscription_create',
    });
    expect(invoices[0]?.hosted_invoice_url).toMatch(/^http/);

    const changes = await accessChanges(w, userId);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      type: 'access.changed',
      payload: {
        old: { level: 'free', plan: { code: 'free' } },
        new: { level: 'premium', plan: { code: 'team' } },
      },
    });

    const events = await storedEvents(w);
    expect(events.filter((event) => event.status === 'failed')).toEqual([]);
    expect(events.map((event) => event.type)).toContain('checkout.session.completed');
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);

    await w.t.drainJobs();
    expect(await auditTypes(w, userId)).toContain('billing.subscription_started');
    expect(billingMailSubjects(w, account.email)).toEqual([
      'Your Tollbooth Team subscription has started',
    ]);
  });

  it('upgrade, cancel at period end, then the end: access follows, each mail once', async () => {
    const w = await createWebhookTestApp();
    const prices = await createPaidPlans(w);
    const { userId, subscriptionId, account } = await subscribedUser(w, prices.team);
    const current = await w.stripe.subscriptions.retrieve(subscriptionId);

    await w.stripe.subscriptions.update(subscriptionId, {
      items: [{ id: current.items.data[0]?.id, price: prices.scale }],
      proration_behavior: 'always_invoice',
    });
    await w.settled();
    await mirrorMatchesStripe(w, subscriptionId);
    expect((await loadAccess(w.t.deps.db, w.t.deps, userId)).plan.code).toBe('scale');

    await w.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await w.settled();
    const scheduled = await mirrorMatchesStripe(w, subscriptionId);
    expect(scheduled.cancel_at_period_end).toBe(true);
    expect(await loadAccess(w.t.deps.db, w.t.deps, userId)).toMatchObject({
      level: 'premium',
      until: scheduled.current_period_end,
    });

    await w.advanceDays(32);
    const ended = await mirrorMatchesStripe(w, subscriptionId);
    expect(ended.status).toBe('canceled');
    expect(await loadAccess(w.t.deps.db, w.t.deps, userId)).toMatchObject({
      level: 'free',
      plan: { code: 'free' },
      status: 'canceled',
    });

    // The cancellation changes nothing until the end: premium was already paid up to then.
    const changes = (await accessChanges(w, userId)).map((change) => change.payload);
    expect(changes).toEqual([
      expect.objectContaining({
        old: expect.objectContaining({ plan: { code: 'free', name: 'Free' } }),
        new: expect.objectContaining({ level: 'premium', plan: { code: 'team', name: 'Team' } }),
      }),
      expect.objectContaining({
        old: expect.objectContaining({ plan: { code: 'team', name: 'Team' } }),
        new: expect.objectContaining({ level: 'premium', plan: { code: 'scale', name: 'Scale' } }),
      }),
      expect.objectContaining({
        old: expect.objectContaining({ level: 'premium', plan: { code: 'scale', name: 'Scale' } }),
        new: expect.objectContaining({ level: 'free', status: 'canceled' }),
      }),
    ]);
    await w.t.drainJobs();
    expect(billingMailSubjects(w, account.email)).toEqual([
      'Your Tollbooth Team subscription has started',
      'Your Tollbooth plan is now Scale',
      expect.stringMatching(/^Your Tollbooth subscription ends on /),
      'Your Tollbooth Scale subscription has ended',
    ]);
    expect(await auditTypes(w, userId)).toEqual(
      expect.arrayContaining([
        'billing.subscription_started',
        'billing.subscription_plan_changed',
        'billing.subscription_cancel_scheduled',
        'billing.subscription_ended',
        'billing.access_changed',
      ]),
    );
  });
});
