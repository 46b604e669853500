/**
 * A failure a retry can fix (here: the database refuses a write once, through a real
 * trigger) rolls the whole event back and answers 500, so Stripe retries; the retry applies
 * it, once. The event row, the mirror and the side effects are all in one transaction.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { queuedJobs } from './billing-testing';
import {
  createPaidPlans,
  createWebhookTestApp,
  mirrorMatchesStripe,
  storedEvents,
  subscribedUser,
  type WebhookTest,
} from './webhook-testing';

/** The next `times` writes to `table` fail (a sequence is not rolled back with them). */
async function failNextWrites(w: WebhookTest, table: 'subscriptions' | 'invoices', times: number) {
  await sql`create sequence if not exists injected_fault_seq`.execute(w.t.deps.db);
  await sql
    .raw(`
    create or replace function injected_fault() returns trigger language plpgsql as $$
    begin
      if nextval('injected_fault_seq') <= ${times} then
        raise exception 'injected fault';
      end if;
      return new;
    end $$;
    create trigger injected_fault before insert or update on ${table}
      for each row execute function injected_fault();
  `)
    .execute(w.t.deps.db);
}

describe('webhook: a failing application', () => {
  it('answers 500, keeps nothing of the event, and the retry applies it once', async () => {
    const w = await createWebhookTestApp();
    const prices = await createPaidPlans(w);
    await failNextWrites(w, 'subscriptions', 1);

    const { userId, subscriptionId } = await subscribedUser(w, prices.team);

    const attempts = w.emulator.webhooks.attempts();
    const failed = attempts.filter((attempt) => attempt.status === 500);
    expect(failed).toHaveLength(1);
    const retried = attempts.filter((attempt) => attempt.eventId === failed[0]?.eventId);
    expect(retried.map((attempt) => attempt.status)).toEqual([500, 200]);

    await mirrorMatchesStripe(w, subscriptionId);
    const events = await storedEvents(w);
    expect(events.filter((event) => event.id === failed[0]?.eventId)).toMatchObject([
      { status: 'applied' },
    ]);
    const started = await w.t.deps.db
      .selectFrom('audit_log')
      .select('id')
      .where('user_id', '=', userId)
      .where('event_type', '=', 'billing.subscription_started')
      .execute();
    expect(started).toHaveLength(1);
    expect(await queuedJobs(w.t, 'send_billing_mail')).toHaveLength(1);
    const changes = await w.t.deps.db
      .selectFrom('domain_events')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    expect(changes).toHaveLength(1);
  });

  it('logs the failure with the event and leaves no trace of it in the database', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    const prices = await createPaidPlans(w);
    await failNextWrites(w, 'invoices', 1_000);
    w.emulator.webhooks.addEndpoint(w.webhookUrl);

    await subscribedUser(w, prices.team);
    const invoiceEvents = w.emulator.webhooks
      .attempts()
      .filter((attempt) => attempt.type === 'invoice.paid');
    expect(invoiceEvents.length).toBeGreaterThan(1);
    expect(invoiceEvents.every((attempt) => attempt.status === 500)).toBe(true);
    const stored = await storedEvents(w);
    expect(stored.filter((event) => event.type === 'invoice.paid')).toEqual([]);
    expect(w.t.logs.lines.some((line) => line.includes('injected fault'))).toBe(true);
  });
});
