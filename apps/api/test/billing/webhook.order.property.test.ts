/**
 * Order never matters, as a property: a real event sequence from the emulator (checkout →
 * upgrade → cancel at period end → the clock past the period end), delivered straight to the
 * route in random orders, with random duplicates and a few deliveries racing each other,
 * always leaves the mirror where Stripe is: the subscription, every invoice, the account link,
 * every event stored once, nothing failed.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { loadAccess } from '../../src/billing/access/load-access';
import {
  createPaidPlans,
  createWebhookTestApp,
  mirrorMatchesStripe,
  postEvent,
  subscribedUser,
  type WebhookTest,
} from './webhook-testing';

type Ending = 'ended' | 'resumed and renewed';

/**
 * Runs the journey with no endpoint registered and returns every event Stripe made. It ends
 * either past the period end (canceled) or, resumed before the end, renewed and active: an
 * ended subscription alone would hide a stale write (nothing may revive an ended one).
 */
async function recordJourney(w: WebhookTest, ending: Ending) {
  const prices = await createPaidPlans(w);
  const user = await subscribedUser(w, prices.team);
  const current = await w.stripe.subscriptions.retrieve(user.subscriptionId);
  await w.stripe.subscriptions.update(user.subscriptionId, {
    items: [{ id: current.items.data[0]?.id, price: prices.scale }],
    proration_behavior: 'always_invoice',
  });
  await w.stripe.subscriptions.update(user.subscriptionId, { cancel_at_period_end: true });
  if (ending === 'resumed and renewed') {
    await w.advanceDays(10);
    await w.stripe.subscriptions.update(user.subscriptionId, { cancel_at_period_end: false });
  }
  await w.advanceDays(32);
  const events: Stripe.Event[] = [];
  for await (const event of w.stripe.events.list({ limit: 100 })) events.push(event);
  return { ...user, events: events.reverse() };
}

/** Forgets everything the webhook wrote, so each run starts from nothing. */
async function resetMirror(w: WebhookTest, userId: string) {
  await sql`truncate stripe_events, stripe_object_watermarks, subscriptions, invoices, refunds, domain_events`.execute(
    w.t.deps.db,
  );
  await sql`delete from audit_log where event_type like 'billing.%'`.execute(w.t.deps.db);
  await w.t.deps.db
    .updateTable('users')
    .set({ stripe_customer_id: null })
    .where('id', '=', userId)
    .execute();
}

async function invoicesMatchStripe(w: WebhookTest, customer: string, userId: string) {
  const stripeInvoices = await w.stripe.invoices.list({ customer, limit: 100 });
  const mirrored = await w.t.deps.db.selectFrom('invoices').selectAll().execute();
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
  expect(
    mirrored.sort(byId).map((row) => [row.id, row.user_id, row.status, row.total, row.amount_paid]),
  ).toEqual(
    [...stripeInvoices.data]
      .sort((a, b) => byId({ id: a.id ?? '' }, { id: b.id ?? '' }))
      .map((invoice) => [invoice.id, userId, invoice.status, invoice.total, invoice.amount_paid]),
  );
}

describe('webhook: any order, any duplicates', () => {
  it.each<[Ending, 'free' | 'premium']>([
    ['ended', 'free'],
    ['resumed and renewed', 'premium'],
  ])(
    'always ends in the emulator state (journey %s)',
    { timeout: 240_000 },
    async (ending, level) => {
      const w = await createWebhookTestApp({ deliver: false });
      const { events, userId, customer, subscriptionId } = await recordJourney(w, ending);
      expect(events.length).toBeGreaterThan(20);
      const indices = events.map((_event, index) => index);

      const deliveries = fc
        .array(fc.constantFrom(...indices), { maxLength: events.length })
        .chain((duplicates) => {
          const all = [...indices, ...duplicates];
          return fc.tuple(
            fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
            // How many deliveries go out at once, batch after batch.
            fc.array(fc.integer({ min: 1, max: 3 }), {
              minLength: all.length,
              maxLength: all.length,
            }),
          );
        });

      await fc.assert(
        fc.asyncProperty(deliveries, async ([order, batchSizes]) => {
          await resetMirror(w, userId);
          let position = 0;
          for (const size of batchSizes) {
            if (position >= order.length) break;
            const batch = order.slice(position, position + size);
            position += size;
            const statuses = await Promise.all(
              batch.map(async (index) => (await postEvent(w, events[index])).status),
            );
            expect(statuses.every((status) => status === 200)).toBe(true);
          }

          await mirrorMatchesStripe(w, subscriptionId);
          await invoicesMatchStripe(w, customer, userId);
          const link = await w.t.deps.db
            .selectFrom('users')
            .select('stripe_customer_id')
            .where('id', '=', userId)
            .executeTakeFirstOrThrow();
          expect(link.stripe_customer_id).toBe(customer);
          const stored = await w.t.deps.db
            .selectFrom('stripe_events')
            .select(['id', 'status'])
            .execute();
          expect(stored.map((row) => row.id).sort()).toEqual(
            events.map((event) => event.id).sort(),
          );
          expect(
            stored.filter((row) => row.status === 'failed' || row.status === 'received'),
          ).toEqual([]);
          const stripeStatus = (await w.stripe.subscriptions.retrieve(subscriptionId)).status;
          expect(await loadAccess(w.t.deps.db, w.t.deps, userId)).toMatchObject({
            level,
            status: stripeStatus,
          });
        }),
        { numRuns: 40 },
      );
    },
  );
});
