/**
 * A declined renewal: the subscription goes past_due (access per BILLING_PAST_DUE_ACCESS),
 * the user gets a mail with a link to pay, Stripe retries (dunning), and the subscription is
 * either recovered by a working card or canceled after the last retry.
 */
import { describe, expect, it } from 'vitest';
import { loadAccess } from '../../src/billing/access/load-access';
import {
  createPaidPlans,
  createWebhookTestApp,
  mirrorMatchesStripe,
  subscribedUser,
  type WebhookTest,
} from './webhook-testing';

function failureMails(w: WebhookTest, email: string) {
  return w.smtp.to(email).filter((mail) => /payment of .* failed/.test(mail.subject));
}

async function declinedRenewal(w: WebhookTest) {
  const prices = await createPaidPlans(w);
  const user = await subscribedUser(w, prices.team);
  w.emulator.attachDecliningCard(user.customer);
  await w.advanceDays(31);
  return user;
}

describe('webhook: a renewal that is declined', () => {
  it('goes past_due keeping the plan (keep), mails a link to the hosted invoice, then recovers with a good card', async () => {
    const w = await createWebhookTestApp();
    const { userId, subscriptionId, customer, account } = await declinedRenewal(w);

    expect((await mirrorMatchesStripe(w, subscriptionId)).status).toBe('past_due');
    expect(await loadAccess(w.t.deps.db, w.t.deps, userId)).toMatchObject({
      level: 'premium',
      status: 'past_due',
      plan: { code: 'team' },
    });
    const open = await w.t.deps.db
      .selectFrom('invoices')
      .selectAll()
      .where('user_id', '=', userId)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    await w.t.drainJobs();
    const [mail, ...more] = failureMails(w, account.email);
    expect(more).toEqual([]);
    expect(mail?.subject).toBe('Your Tollbooth payment of $79.00 failed');
    expect(mail?.text).toContain(open.hosted_invoice_url ?? 'no hosted url');
    expect(mail?.text).toMatch(/We will try again on /);

    w.emulator.attachCard(customer, 'visa');
    await w.advanceDays(3);
    expect((await mirrorMatchesStripe(w, subscriptionId)).status).toBe('active');
    const paid = await w.t.deps.db
      .selectFrom('invoices')
      .select('status')
      .where('id', '=', open.id)
      .executeTakeFirstOrThrow();
    expect(paid.status).toBe('paid');
    expect((await loadAccess(w.t.deps.db, w.t.deps, userId)).status).toBe('active');
  });

  it('with BILLING_PAST_DUE_ACCESS=free drops to free while past_due', async () => {
    const w = await createWebhookTestApp({ env: { BILLING_PAST_DUE_ACCESS: 'free' } });
    const { userId } = await declinedRenewal(w);
    expect(await loadAccess(w.t.deps.db, w.t.deps, userId)).toMatchObject({
      level: 'free',
      status: 'past_due',
    });
    const change = await w.t.deps.db
      .selectFrom('domain_events')
      .select('payload')
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(change.payload).toMatchObject({
      old: { level: 'premium', status: 'active' },
      new: { level: 'free', status: 'past_due' },
    });
  });

  it('is canceled after the last dunning retry fails: free, one mail per failed attempt, an ending mail', async () => {
    // Duplicated deliveries too: a failed attempt is one event, mailed once however often it comes.
    const w = await createWebhookTestApp({ switches: { duplicate: true } });
    const { userId, subscriptionId, account } = await declinedRenewal(w);
    for (const days of [3, 5, 7]) await w.advanceDays(days);

    expect((await mirrorMatchesStripe(w, subscriptionId)).status).toBe('canceled');
    expect(await loadAccess(w.t.deps.db, w.t.deps, userId)).toMatchObject({
      level: 'free',
      status: 'canceled',
    });
    await w.t.drainJobs();
    const failedAttempts = w.emulator.webhooks
      .attempts()
      .filter((attempt) => attempt.type === 'invoice.payment_failed');
    const distinct = new Set(failedAttempts.map((attempt) => attempt.eventId));
    expect(distinct.size).toBeGreaterThanOrEqual(3);
    expect(failedAttempts.length).toBe(2 * distinct.size);
    // The last failure's event is read after the cancellation, whose invoice stays open.
    expect(failureMails(w, account.email)).toHaveLength(distinct.size);
    expect(
      w.smtp.to(account.email).filter((mail) => mail.subject.endsWith('subscription has ended')),
    ).toHaveLength(1);
  });
});
