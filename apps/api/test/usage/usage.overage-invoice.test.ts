import { describe, expect, it } from 'vitest';
import { seedOperationTypes } from '../../src/usage/operation-types';
import { makeRetriesDue, queuedJobs, signInAdmin } from '../billing/billing-testing';
import {
  createJourneyApp,
  customerIdOf,
  type JourneyApp,
  signUpCustomer,
  subscribe,
} from '../billing/journey-testing';
import { createKey, keyClient } from '../credits/credits-testing';
import { failure } from '../support/accounts';

const DAY_SECONDS = 86_400;
/** Starter: $29.00 a month; the seed catalog's overage price is $0.08 an operation. */
const STARTER_CENTS = 2_900;
const OVERAGE_CENTS = 8;
const op = { operation: 'strategic_analysis' } as const;

/**
 * A Starter subscriber (paid through the hosted checkout, mirrored from the webhooks) on a
 * Starter plan the admin set to 3 included operations and overage billed on the invoice.
 */
async function invoiceModeSubscriber(options: { proxy?: boolean } = {}) {
  const j = await createJourneyApp({ webhooks: true, ...options });
  await seedOperationTypes(j.t.deps.db);
  const { client: admin } = await signInAdmin(j.t);
  const plan = await admin.billing.plans.update.mutate({
    code: 'starter',
    includedOperations: 3,
    overageMode: 'invoice',
  });
  await j.settle();
  const { account, client } = await signUpCustomer(j.t);
  await subscribe(client, 'starter');
  await j.settle();
  const { key } = await createKey(admin, ['usage:write']);
  const customer = await customerIdOf(j.t, account.user.id);
  return { j, plan, admin, client, userId: account.user.id, server: keyClient(j.t, key), customer };
}

async function itemsOf(j: JourneyApp, customer: string) {
  return j.stripe.invoiceItems.list({ customer, limit: 100 }).autoPagingToArray({ limit: 1000 });
}

async function overageRows(j: JourneyApp) {
  return j.t.deps.db
    .selectFrom('usage_records')
    .select([
      'id',
      'idempotency_key',
      'overage_quantity',
      'overage_cents',
      'stripe_invoice_item_id',
    ])
    .where('outcome', '=', 'overage')
    .orderBy('id')
    .execute();
}

describe('usage.record on a plan that bills overage on the invoice', () => {
  it("is set by the admin (billing.plans.update overageMode) and shows on the plan; the free plan can't", async () => {
    const { plan, admin } = await invoiceModeSubscriber();

    const refused = await failure(
      admin.billing.plans.update.mutate({ code: 'free', overageMode: 'invoice' }),
    );

    expect(plan).toMatchObject({ code: 'starter', overageMode: 'invoice', overagePriceCents: 8 });
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(refused.data.fieldErrors).toEqual({
      overageMode: ['the free plan has no subscription to bill overage to'],
    });
  });

  it('answers overage beyond the allowance, replays the same answer, and the renewal invoice bills N × $0.08 once', async () => {
    const { j, client, userId, server, customer } = await invoiceModeSubscriber();
    for (const key of ['in-1', 'in-2', 'in-3']) {
      await server.usage.record.mutate({ ...op, userId, idempotencyKey: key });
    }

    const over = await server.usage.record.mutate({
      ...op,
      userId,
      quantity: 5,
      idempotencyKey: 'over-1',
    });
    const replay = await server.usage.record.mutate({
      ...op,
      userId,
      quantity: 5,
      idempotencyKey: 'over-1',
    });
    await j.settle();
    const replayAfterPush = await server.usage.record.mutate({
      ...op,
      userId,
      quantity: 5,
      idempotencyKey: 'over-1',
    });
    const more = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'over-2' });
    await j.settle();
    const stats = await server.usage.stats.query({
      userId,
      from: over.record.period.start,
      to: over.record.period.end,
      groupBy: 'operation',
    });

    expect(over).toMatchObject({
      outcome: 'overage',
      remaining: { included: 0, creditBalance: 0 },
      record: {
        quantity: 5,
        includedQuantity: 0,
        creditsSpent: 0,
        overage: { quantity: 5, cents: 5 * OVERAGE_CENTS, currency: 'usd' },
      },
    });
    expect(replay).toEqual(over);
    expect(replayAfterPush).toEqual(over);
    expect(more.record.overage).toEqual({ quantity: 1, cents: OVERAGE_CENTS, currency: 'usd' });
    expect(stats.totals).toMatchObject({
      records: 5,
      quantity: 9,
      includedQuantity: 3,
      overageQuantity: 6,
      overageCents: 6 * OVERAGE_CENTS,
    });
    const items = await itemsOf(j, customer);
    expect(items.map((item) => [item.quantity, item.amount, item.invoice])).toEqual([
      [1, OVERAGE_CENTS, null],
      [5, 5 * OVERAGE_CENTS, null],
    ]);
    const rows = await overageRows(j);
    expect(rows.map((row) => row.stripe_invoice_item_id)).toEqual([items[1]?.id, items[0]?.id]);

    await j.advance(31 * DAY_SECONDS + 60);

    const [renewal] = (await j.stripe.invoices.list({ customer, limit: 1 })).data;
    if (!renewal) throw new Error('no renewal invoice');
    const lines = await j.stripe.invoices.listLineItems(renewal.id, { limit: 100 });
    const total = STARTER_CENTS + 6 * OVERAGE_CENTS;
    expect(renewal).toMatchObject({
      billing_reason: 'subscription_cycle',
      status: 'paid',
      total,
      amount_paid: total,
    });
    expect(lines.data.map((line) => [line.description, line.quantity, line.amount])).toEqual([
      ["Strategic Analysis beyond the plan's included operations", 5, 5 * OVERAGE_CENTS],
      ["Strategic Analysis beyond the plan's included operations", 1, OVERAGE_CENTS],
      ['1 × Starter (at $29.00 / month)', 1, STARTER_CENTS],
    ]);
    const mirrored = await client.billing.invoices.list.query();
    expect(mirrored.items[0]).toMatchObject({
      id: renewal.id,
      billingReason: 'subscription_cycle',
      totalCents: total,
      amountPaidCents: total,
    });

    // The next period starts over: included again, and its invoice bills no overage.
    const next = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'next-1' });
    await j.advance(30 * DAY_SECONDS + 60);
    const [later] = (await j.stripe.invoices.list({ customer, limit: 1 })).data;
    expect(next.outcome).toBe('included');
    expect(later?.total).toBe(STARTER_CENTS);
  });

  it('splits a quantity across the boundary: the allowance left is included, the rest is overage', async () => {
    const { j, userId, server, customer } = await invoiceModeSubscriber();
    await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'in-1' });

    const split = await server.usage.record.mutate({
      ...op,
      userId,
      quantity: 4,
      idempotencyKey: 'split',
    });
    await j.settle();

    expect(split).toMatchObject({
      outcome: 'overage',
      remaining: { included: 0 },
      record: { quantity: 4, includedQuantity: 2, overage: { quantity: 2, cents: 16 } },
    });
    expect((await itemsOf(j, customer)).map((item) => item.amount)).toEqual([16]);
  });

  it('at the boundary, the last included operation and the first overage sent at once: one each, one item', async () => {
    const { j, userId, server, customer } = await invoiceModeSubscriber();
    await server.usage.record.mutate({ ...op, userId, quantity: 2, idempotencyKey: 'first-two' });

    const answers = await Promise.all(
      ['race-a', 'race-b', 'race-a', 'race-b'].map((idempotencyKey) =>
        server.usage.record.mutate({ ...op, userId, idempotencyKey }),
      ),
    );
    await j.settle();

    const byKey = new Map(answers.map((answer) => [answer.record.idempotencyKey, answer]));
    expect([...byKey.values()].map((answer) => answer.outcome).sort()).toEqual([
      'included',
      'overage',
    ]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[3]).toEqual(answers[1]);
    const items = await itemsOf(j, customer);
    expect(items.map((item) => item.amount)).toEqual([OVERAGE_CENTS]);
    const counter = await j.t.deps.db
      .selectFrom('usage_counters')
      .select(['included', 'used'])
      .executeTakeFirstOrThrow();
    expect(counter).toEqual({ included: 3, used: 3 });
  });

  it('answers the user while Stripe is down; the push retried after a lost answer bills once', async () => {
    const { j, userId, server, customer } = await invoiceModeSubscriber({ proxy: true });
    const proxy = j.proxy;
    if (!proxy) throw new Error('no proxy');
    await server.usage.record.mutate({ ...op, userId, quantity: 3, idempotencyKey: 'in' });
    proxy.setDown(true);

    const over = await server.usage.record.mutate({
      ...op,
      userId,
      quantity: 2,
      idempotencyKey: 'over',
    });
    await j.settle();
    const whileDown = await queuedJobs(j.t, 'usage_push_overage');
    proxy.setDown(false);
    // Stripe creates the item but the answer is lost (the SDK retries a cut connection once).
    proxy.loseResponses('POST', '/v1/invoiceitems', 2);
    await makeRetriesDue(j.t);
    await j.settle();
    const afterLoss = await queuedJobs(j.t, 'usage_push_overage');
    const unbilled = await overageRows(j);
    // Past Stripe's 24-hour idempotency window: only the lookup by metadata prevents a double.
    await j.advance(DAY_SECONDS + 60);
    await makeRetriesDue(j.t);
    await j.settle();

    expect(over).toMatchObject({ outcome: 'overage', record: { overage: { cents: 16 } } });
    expect(whileDown).toMatchObject([{ attempts: 1, last_error: expect.any(String) }]);
    expect(afterLoss).toMatchObject([{ attempts: 2 }]);
    expect(unbilled.map((row) => row.stripe_invoice_item_id)).toEqual([null]);
    const items = await itemsOf(j, customer);
    expect(items.map((item) => item.amount)).toEqual([16]);
    expect(await overageRows(j)).toMatchObject([{ stripe_invoice_item_id: items[0]?.id }]);
    expect(await queuedJobs(j.t, 'usage_push_overage')).toEqual([]);
  });
});
