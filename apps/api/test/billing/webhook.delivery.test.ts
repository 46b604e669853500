/**
 * Stripe delivers at least once, in any order, sometimes late: with each of the emulator's
 * delivery switches the mirror still ends where Stripe is, every event is stored once, and
 * every side effect happens once.
 */
import { describe, expect, it } from 'vitest';
import { loadAccess } from '../../src/billing/access/load-access';
import { queuedJobs } from './billing-testing';
import {
  createPaidPlans,
  createWebhookTestApp,
  mirrorMatchesStripe,
  storedEvents,
  subscribedUser,
  type WebhookTest,
} from './webhook-testing';

async function sideEffects(w: WebhookTest, userId: string) {
  const audit = await w.t.deps.db
    .selectFrom('audit_log')
    .select('event_type')
    .where('user_id', '=', userId)
    .where('event_type', 'like', 'billing.subscription_%')
    .execute();
  const changes = await w.t.deps.db
    .selectFrom('domain_events')
    .select('id')
    .where('user_id', '=', userId)
    .execute();
  const mails = await queuedJobs(w.t, 'send_billing_mail');
  return {
    audit: audit.map((row) => row.event_type).sort(),
    accessChanges: changes.length,
    mails: mails.length,
  };
}

/** The journey every switch is tried on: subscribe, upgrade, cancel, reach the end. */
async function journey(w: WebhookTest) {
  const prices = await createPaidPlans(w);
  const { userId, subscriptionId } = await subscribedUser(w, prices.team);
  await mirrorMatchesStripe(w, subscriptionId);
  const current = await w.stripe.subscriptions.retrieve(subscriptionId);
  await w.stripe.subscriptions.update(subscriptionId, {
    items: [{ id: current.items.data[0]?.id, price: prices.scale }],
    proration_behavior: 'always_invoice',
  });
  await w.settled();
  await mirrorMatchesStripe(w, subscriptionId);
  await w.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
  await w.settled();
  await mirrorMatchesStripe(w, subscriptionId);
  await w.advanceDays(32);
  const final = await mirrorMatchesStripe(w, subscriptionId);
  expect(final.status).toBe('canceled');
  expect((await loadAccess(w.t.deps.db, w.t.deps, userId)).level).toBe('free');
  return { userId, subscriptionId };
}

const EXPECTED_AUDIT = [
  'billing.subscription_cancel_scheduled',
  'billing.subscription_ended',
  'billing.subscription_plan_changed',
  'billing.subscription_started',
];

describe('webhook delivery: at least once, any order', () => {
  it('applies a duplicated delivery once: one row per event id, one mail and audit row per change', async () => {
    const w = await createWebhookTestApp({ switches: { duplicate: true } });
    const { userId } = await journey(w);

    const attempts = w.emulator.webhooks.attempts().filter((a) => a.outcome === 'delivered');
    const stored = await storedEvents(w);
    expect(attempts.length).toBe(2 * stored.length);
    expect(new Set(stored.map((event) => event.id)).size).toBe(stored.length);
    expect(await sideEffects(w, userId)).toEqual({
      audit: EXPECTED_AUDIT,
      accessChanges: 3,
      mails: 4,
    });
    const metrics = await (await w.t.app.request('/metrics')).text();
    expect(metrics).toMatch(
      /stripe_webhook_events_total\{type="customer\.subscription\.updated",outcome="duplicate"\} [1-9]/,
    );
  });

  it('converges when the events of each step arrive newest first', async () => {
    const w = await createWebhookTestApp({ switches: { outOfOrder: true } });
    const { userId } = await journey(w);
    expect(await sideEffects(w, userId)).toMatchObject({ audit: EXPECTED_AUDIT });
  });

  it('applies an event whose first attempt was lost when Stripe retries it', async () => {
    const w = await createWebhookTestApp({ switches: { dropFirstAttempt: true } });
    const { userId } = await journey(w);
    const attempts = w.emulator.webhooks.attempts();
    expect(attempts.some((a) => a.outcome === 'dropped')).toBe(true);
    expect((await storedEvents(w)).every((event) => event.status !== 'received')).toBe(true);
    expect(await sideEffects(w, userId)).toMatchObject({ audit: EXPECTED_AUDIT, mails: 4 });
  });

  it('converges when every delivery is delayed', async () => {
    const w = await createWebhookTestApp({ switches: { delayMs: 30 } });
    const { userId } = await journey(w);
    expect(await sideEffects(w, userId)).toMatchObject({ audit: EXPECTED_AUDIT, accessChanges: 3 });
  });
});
