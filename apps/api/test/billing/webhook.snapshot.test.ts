/**
 * Applying from the event's snapshot (stripe-events/snapshot.ts), with customer.updated: a
 * snapshot provably newer than what the mirror holds is applied without asking Stripe; a tie
 * or an older event is applied from its snapshot only when it carries the content the held
 * state came from, else Stripe is read. Each event here carries content that differs from
 * what Stripe holds now, so which of the two was used shows in the account link.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lockCustomer } from '../../src/billing/stripe-events/context';
import { READ_CLOCK_MARGIN_SECONDS } from '../../src/billing/stripe-events/snapshot';
import { registerAccount } from '../support/accounts';
import { createWebhookTestApp, postEvent, START, type WebhookTest } from './webhook-testing';

const T = START.getTime() / 1000;

async function setup() {
  const w = await createWebhookTestApp({ deliver: false });
  const a = await registerAccount(w.t);
  const b = await registerAccount(w.t);
  // What Stripe holds now: the customer names account B.
  const customer = await w.stripe.customers.create({
    email: b.email,
    metadata: { tollbooth_user_id: b.user.id },
  });
  return { w, a: a.user.id, b: b.user.id, customer };
}

/** A signed customer.updated created at `created`, its snapshot owned by `owner` (or none). */
async function customerUpdated(
  w: WebhookTest,
  customer: { id: string },
  created: number,
  owner: string | null,
  id = `evt_snap_${randomBytes(6).toString('hex')}`,
) {
  const snapshot = {
    ...(await w.stripe.customers.retrieve(customer.id)),
    metadata: owner ? { tollbooth_user_id: owner } : {},
  };
  const response = await postEvent(w, {
    id,
    object: 'event',
    type: 'customer.updated',
    created,
    livemode: false,
    data: { object: snapshot },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { outcome: string };
}

async function linkedUser(w: WebhookTest, customerId: string) {
  const row = await w.t.deps.db
    .selectFrom('users')
    .select('id')
    .where('stripe_customer_id', '=', customerId)
    .executeTakeFirst();
  return row?.id ?? null;
}

describe('webhook: applying from the snapshot, guarded by a watermark per object', () => {
  it('applies a snapshot newer than anything held as it is, without reading Stripe', async () => {
    const { w, a, customer } = await setup();
    await customerUpdated(w, customer, T, a);
    expect(await linkedUser(w, customer.id)).toBe(a);
  });

  it('reads Stripe for an older event whose content differs from the newer one applied', async () => {
    const { w, a, b, customer } = await setup();
    expect(await customerUpdated(w, customer, T + 10, null)).toMatchObject({
      outcome: 'ignored',
    });
    // The stale snapshot (account A) must not win over the newer one: Stripe says B.
    await customerUpdated(w, customer, T, a);
    expect(await linkedUser(w, customer.id)).toBe(b);
  });

  it('reads Stripe for a tie in `created` with other content', async () => {
    const { w, a, b, customer } = await setup();
    await customerUpdated(w, customer, T, null);
    await customerUpdated(w, customer, T, a);
    expect(await linkedUser(w, customer.id)).toBe(b);
  });

  it('applies a tie that carries the content already applied from its snapshot', async () => {
    const { w, customer } = await setup();
    await customerUpdated(w, customer, T, null);
    // Same content, same second: either order ends the same, so Stripe (account B) is not asked.
    expect(await customerUpdated(w, customer, T, null)).toMatchObject({ outcome: 'ignored' });
    expect(await linkedUser(w, customer.id)).toBe(null);
  });

  it('after reading Stripe, takes events created up to our clock plus a margin as not newer', async () => {
    const { w, a, b } = await setup();
    // Stripe holds a customer of no account now.
    const customer = await w.stripe.customers.create({ email: 'nobody@example.test' });
    await customerUpdated(w, customer, T, null);
    // A tie with other content: Stripe is read (no owner), at our clock, T.
    expect(await customerUpdated(w, customer, T, b)).toMatchObject({ outcome: 'ignored' });
    expect(await linkedUser(w, customer.id)).toBe(null);
    // Created after the tie but within the margin: what was read may be newer, so read again.
    await customerUpdated(w, customer, T + 1, a);
    expect(await linkedUser(w, customer.id)).toBe(null);
    // Past the margin the snapshot is newer than that read.
    await customerUpdated(w, customer, T + READ_CLOCK_MARGIN_SECONDS + 1, a);
    expect(await linkedUser(w, customer.id)).toBe(a);
  });

  it('answers an event the mirror already holds without waiting for the customer’s lock', async () => {
    const { w, customer } = await setup();
    await customerUpdated(w, customer, T, null);
    // Another event of this customer holds its lock until this one is answered: a wait for
    // the lock would never end (the test times out).
    await w.t.deps.db.transaction().execute(async (trx) => {
      await lockCustomer(trx, customer.id);
      expect(await customerUpdated(w, customer, T, null)).toMatchObject({ outcome: 'ignored' });
    });
  });

  it('answers a held event of a customer linked to an account as applied, without the lock', async () => {
    const { w, a, customer } = await setup();
    expect(await customerUpdated(w, customer, T, a)).toMatchObject({ outcome: 'applied' });
    expect(await linkedUser(w, customer.id)).toBe(a);
    // The watermark and the link are read together; a wait for the lock would never end.
    await w.t.deps.db.transaction().execute(async (trx) => {
      await lockCustomer(trx, customer.id);
      expect(await customerUpdated(w, customer, T, a)).toMatchObject({ outcome: 'applied' });
    });
  });

  it('moves the watermark up for a newer event with the held content, still without the lock', async () => {
    const { w, a, b, customer } = await setup();
    await customerUpdated(w, customer, T, null);
    await w.t.deps.db.transaction().execute(async (trx) => {
      await lockCustomer(trx, customer.id);
      expect(await customerUpdated(w, customer, T + 5, null)).toMatchObject({
        outcome: 'ignored',
      });
    });
    // Older than the content held since T + 5, and other content: Stripe (account B) decides.
    await customerUpdated(w, customer, T + 3, a);
    expect(await linkedUser(w, customer.id)).toBe(b);
  });

  it('finishes a stored, unapplied copy of an event the mirror already holds', async () => {
    const { w, customer } = await setup();
    await customerUpdated(w, customer, T, null);
    const id = 'evt_snap_stored_unapplied';
    await w.t.deps.db
      .insertInto('stripe_events')
      .values({
        id,
        type: 'customer.updated',
        stripe_created: START,
        livemode: false,
        payload: {},
      })
      .execute();
    expect(await customerUpdated(w, customer, T, null, id)).toMatchObject({ outcome: 'ignored' });
    const row = await w.t.deps.db
      .selectFrom('stripe_events')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('ignored');
  });
});
