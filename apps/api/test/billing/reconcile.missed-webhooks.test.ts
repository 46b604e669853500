/**
 * Reconciliation makes good what the webhook never got: with no endpoint at all, a checkout,
 * a renewal and a cancellation still end in the right local state once it runs; a `deleted`
 * lost beyond the events' look-back is caught by re-reading the overdue subscription; and
 * `pnpm billing:reconcile` runs the same service from the command line.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadAccess } from '../../src/billing/access/load-access';
import { reconcileBilling } from '../../src/billing/reconcile/reconcile';
import { queuedJobs } from './billing-testing';
import {
  createPaidPlans,
  createWebhookTestApp,
  mirrorMatchesStripe,
  storedEvents,
  subscribedUser,
  type WebhookTest,
} from './webhook-testing';

const API_DIR = fileURLToPath(new URL('../..', import.meta.url));

async function invoiceStatuses(w: WebhookTest, userId: string) {
  const rows = await w.t.deps.db
    .selectFrom('invoices')
    .select(['billing_reason', 'status'])
    .where('user_id', '=', userId)
    .orderBy('stripe_created')
    .execute();
  return rows.map((row) => `${row.billing_reason}:${row.status}`);
}

describe('reconciliation', () => {
  it('with webhook delivery off, applies checkout, renewal and cancellation from Stripe’s events', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    const prices = await createPaidPlans(w);
    const { userId, subscriptionId } = await subscribedUser(w, prices.team);
    await w.advanceDays(31);
    await w.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    expect(await storedEvents(w)).toEqual([]);

    const report = await reconcileBilling(w.t.deps);

    expect(report).toMatchObject({ ran: true, listedSince: null });
    expect(report.missed.applied).toBeGreaterThan(5);
    expect(report.missed.failed).toBe(0);
    const row = await mirrorMatchesStripe(w, subscriptionId);
    expect(row.cancel_at_period_end).toBe(true);
    expect(await invoiceStatuses(w, userId)).toEqual([
      'subscription_create:paid',
      'subscription_cycle:paid',
    ]);
    expect(await loadAccess(w.t.deps.db, w.t.deps, userId)).toMatchObject({
      level: 'premium',
      plan: { code: 'team' },
      until: row.current_period_end,
    });
    const sources = new Set((await storedEvents(w)).map((event) => event.source));
    expect([...sources]).toEqual(['reconcile']);
    // Mails of what it applied go out as with the webhook, once.
    expect(await queuedJobs(w.t, 'send_billing_mail')).toHaveLength(2);

    // Everything is known now: a second run applies nothing.
    const again = await reconcileBilling(w.t.deps);
    expect(again.missed).toEqual({ applied: 0, ignored: 0, failed: 0, duplicate: 0 });
    expect(again.listed).toBeGreaterThan(0);

    // The end comes; its events arrive only through reconciliation as well.
    await w.advanceDays(31);
    await reconcileBilling(w.t.deps);
    expect((await mirrorMatchesStripe(w, subscriptionId)).status).toBe('canceled');
    expect((await loadAccess(w.t.deps.db, w.t.deps, userId)).level).toBe('free');
  });

  it('re-reads a subscription whose period ended without a renewal: a lost deleted ends it', async () => {
    const w = await createWebhookTestApp();
    const prices = await createPaidPlans(w);
    const { userId, subscriptionId } = await subscribedUser(w, prices.team);
    await w.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await w.settled();

    // The end's deliveries all fail (Stripe gives up on them) ...
    await sql`create or replace function refuse_writes() returns trigger language plpgsql as $$
      begin raise exception 'database refusing writes'; end $$`.execute(w.t.deps.db);
    await sql`create trigger refuse_writes before insert or update on subscriptions
      for each row execute function refuse_writes()`.execute(w.t.deps.db);
    await w.advanceDays(31);
    await sql`drop trigger refuse_writes on subscriptions`.execute(w.t.deps.db);
    const row = await w.t.deps.db
      .selectFrom('subscriptions')
      .select('status')
      .where('id', '=', subscriptionId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('active');

    // ... and a later event moves the newest applied one beyond the look-back window.
    await w.advanceDays(10);
    const team = await w.t.deps.db
      .selectFrom('plans')
      .select('stripe_product_id')
      .where('code', '=', 'team')
      .executeTakeFirstOrThrow();
    // A dashboard edit: its product.updated is delivered and applied.
    await w.stripe.products.update(team.stripe_product_id ?? '', { description: 'For teams' });
    await w.settled();

    const report = await reconcileBilling(w.t.deps);
    expect(report.missed.applied).toBe(0);
    expect(report.overdueResynced).toBe(1);
    expect((await mirrorMatchesStripe(w, subscriptionId)).status).toBe('canceled');
    expect(await loadAccess(w.t.deps.db, w.t.deps, userId)).toMatchObject({
      level: 'free',
      status: 'canceled',
    });
  });

  it('applies a stored event that was never applied (status received), once', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    const prices = await createPaidPlans(w);
    const { subscriptionId } = await subscribedUser(w, prices.team);
    const [updated] = (
      await w.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })
    ).data;
    if (!updated) throw new Error('the checkout emitted no customer.subscription.updated');
    // Every other event is known, as if the webhook had stored them all.
    for await (const event of w.stripe.events.list({ limit: 100 })) {
      await w.t.deps.db
        .insertInto('stripe_events')
        .values({
          id: event.id,
          type: event.type,
          stripe_created: new Date(event.created * 1000),
          livemode: false,
          payload: JSON.parse(JSON.stringify(event)),
          status: event.id === updated.id ? 'received' : 'ignored',
        })
        .execute();
    }

    const report = await reconcileBilling(w.t.deps);
    expect(report).toMatchObject({ reappliedStored: 1, missed: { applied: 0 } });
    expect((await mirrorMatchesStripe(w, subscriptionId)).status).toBe('active');
    const row = await w.t.deps.db
      .selectFrom('stripe_events')
      .select('status')
      .where('id', '=', updated.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('applied');
    expect((await reconcileBilling(w.t.deps)).reappliedStored).toBe(0);
  });

  it('runs as pnpm billing:reconcile', { timeout: 60_000 }, async () => {
    const w = await createWebhookTestApp({ deliver: false });
    const prices = await createPaidPlans(w);
    const { subscriptionId } = await subscribedUser(w, prices.team);

    const { stdout } = await promisify(execFile)('pnpm', ['--silent', 'billing:reconcile'], {
      cwd: API_DIR,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        DATABASE_URL: w.t.config.databaseUrl,
        STRIPE_SECRET_KEY: w.emulator.secretKey,
        STRIPE_WEBHOOK_SECRET: w.emulator.webhookSecret,
        STRIPE_API_URL: w.emulator.url,
      },
    });

    const line = stdout.split('\n').find((text) => text.startsWith('billing reconciliation: '));
    const report = JSON.parse(line?.slice('billing reconciliation: '.length) ?? 'null');
    expect(report).toMatchObject({ ran: true, missed: { failed: 0 } });
    expect(report.missed.applied).toBeGreaterThan(0);
    expect((await mirrorMatchesStripe(w, subscriptionId)).status).toBe('active');
  });
});
