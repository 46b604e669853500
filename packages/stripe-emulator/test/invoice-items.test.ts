// Invoice items: one-off charges that wait for the customer's next subscription invoice — what
// Tollbooth bills usage overage with. Created per unit (`unit_amount_decimal` × `quantity`) or
// by `amount`, listed while pending, swept into the renewal invoice as their own lines (the
// total includes them), and deletable only until then.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  DAY,
  PERIOD_END,
  START,
  startTestEmulator,
  stripeError,
  subscribe,
  type TestEnv,
} from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

async function subscribed(amount = 2000) {
  const { price } = await createPlan(env.stripe, { amount });
  return subscribe(env, price);
}

describe('invoiceItems.create', () => {
  it('prices quantity × unit_amount_decimal to the cent and leaves the item pending', async () => {
    const { subscription, customerId } = await subscribed();

    const item = await env.stripe.invoiceItems.create({
      customer: customerId,
      subscription: subscription.id,
      currency: 'usd',
      quantity: 12,
      unit_amount_decimal: Stripe.Decimal.from('8'),
      description: 'Overage: 12 × strategic analysis at $0.08',
      metadata: { usage_record: '42' },
    });

    expect(item).toMatchObject({
      object: 'invoiceitem',
      amount: 96,
      currency: 'usd',
      customer: customerId,
      date: START,
      invoice: null,
      quantity: 12,
      proration: false,
      discountable: true,
      description: 'Overage: 12 × strategic analysis at $0.08',
      metadata: { usage_record: '42' },
      period: { start: START, end: START },
      parent: {
        type: 'subscription_details',
        subscription_details: { subscription: subscription.id },
      },
    });
    expect(String(item.pricing?.unit_amount_decimal)).toBe('8');
    expect(item.id).toMatch(/^ii_/);
    expect(await env.stripe.invoiceItems.retrieve(item.id)).toEqual(item);
    const [created] = (await env.stripe.events.list({ type: 'invoiceitem.created' })).data;
    expect(created?.data.object).toMatchObject({ id: item.id, amount: 96 });
  });

  it('rounds a fractional unit price per item, and takes a bare amount (a credit when negative)', async () => {
    const { customerId } = await subscribed();

    const fractional = await env.stripe.invoiceItems.create({
      customer: customerId,
      currency: 'usd',
      quantity: 3,
      unit_amount_decimal: Stripe.Decimal.from('0.5'),
    });
    const credit = await env.stripe.invoiceItems.create({
      customer: customerId,
      currency: 'usd',
      amount: -250,
    });

    expect(fractional.amount).toBe(2);
    expect(credit).toMatchObject({ amount: -250, quantity: 1, discountable: false, parent: null });
  });

  it('answers a replay of the same Idempotency-Key with the same item, not a second one', async () => {
    const { customerId } = await subscribed();
    const params = {
      customer: customerId,
      currency: 'usd',
      quantity: 5,
      unit_amount_decimal: Stripe.Decimal.from('8'),
    };

    const first = await env.stripe.invoiceItems.create(params, { idempotencyKey: 'usage:7' });
    const again = await env.stripe.invoiceItems.create(params, { idempotencyKey: 'usage:7' });

    expect(again.id).toBe(first.id);
    expect((await env.stripe.invoiceItems.list({ customer: customerId })).data).toHaveLength(1);
  });

  it.each<[string, Stripe.InvoiceItemCreateParams, string]>([
    ['no customer', { currency: 'usd', amount: 100 }, 'customer'],
    ['no price at all', { currency: 'usd' }, 'amount'],
    [
      'both amount and unit_amount_decimal',
      { currency: 'usd', amount: 1, unit_amount_decimal: Stripe.Decimal.from('1') },
      'amount',
    ],
    ['no currency for a customer without one', { amount: 100 }, 'currency'],
    [
      'a parameter the emulator does not model',
      { currency: 'usd', amount: 1, tax_rates: ['txr_1'] },
      'tax_rates',
    ],
  ])('refuses %s (param %s)', async (_label, params, param) => {
    const { customerId } = await subscribed();
    const body = param === 'customer' ? params : { customer: customerId, ...params };

    const error = await stripeError(env.stripe.invoiceItems.create(body));

    expect(error).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', param });
    expect((await env.stripe.invoiceItems.list()).data).toHaveLength(0);
  });

  it("refuses another customer's subscription", async () => {
    const { subscription } = await subscribed();
    const other = await env.stripe.customers.create({ email: 'bob@example.com' });

    const error = await stripeError(
      env.stripe.invoiceItems.create({
        customer: other.id,
        subscription: subscription.id,
        currency: 'usd',
        amount: 100,
      }),
    );

    expect(error).toMatchObject({ statusCode: 400, param: 'subscription' });
  });
});

describe('pending invoice items at renewal', () => {
  it('are swept into the renewal invoice as their own lines, and the total includes them', async () => {
    const { subscription, customerId } = await subscribed(2000);
    env.emulator.clock.advance(10 * DAY);
    const overage = await env.stripe.invoiceItems.create({
      customer: customerId,
      subscription: subscription.id,
      currency: 'usd',
      quantity: 12,
      unit_amount_decimal: Stripe.Decimal.from('8'),
      description: 'Overage: 12 operations at $0.08',
      metadata: { usage_record: '42' },
    });
    const oneOff = await env.stripe.invoiceItems.create({
      customer: customerId,
      currency: 'usd',
      amount: 500,
      description: 'Setup fee',
    });

    env.emulator.clock.advance(21 * DAY + 60);

    const [renewal] = (await env.stripe.invoices.list({ subscription: subscription.id, limit: 1 }))
      .data;
    expect(renewal).toMatchObject({
      billing_reason: 'subscription_cycle',
      status: 'paid',
      subtotal: 2596,
      total: 2596,
      amount_due: 2596,
      amount_paid: 2596,
      created: PERIOD_END,
    });
    const lines = await env.stripe.invoices.listLineItems(String(renewal?.id));
    expect(lines.data.map((line) => [line.description, line.amount])).toEqual([
      ['Overage: 12 operations at $0.08', 96],
      ['Setup fee', 500],
      ['1 × Pro (at $20.00 / month)', 2000],
    ]);
    expect(lines.data[0]).toMatchObject({
      quantity: 12,
      metadata: { usage_record: '42' },
      parent: {
        type: 'invoice_item_details',
        invoice_item_details: { invoice_item: overage.id, subscription: subscription.id },
        subscription_item_details: null,
      },
    });
    expect(String(lines.data[0]?.pricing?.unit_amount_decimal)).toBe('8');
    expect((await env.stripe.invoiceItems.retrieve(overage.id)).invoice).toBe(renewal?.id);
    expect((await env.stripe.invoiceItems.retrieve(oneOff.id)).invoice).toBe(renewal?.id);
    expect((await env.stripe.invoiceItems.list({ pending: true })).data).toHaveLength(0);
    expect(
      (await env.stripe.invoiceItems.list({ invoice: String(renewal?.id) })).data.map((i) => i.id),
    ).toEqual([oneOff.id, overage.id]);
  });

  it('bill once: the next renewal has only the subscription line', async () => {
    const { subscription, customerId } = await subscribed(2000);
    await env.stripe.invoiceItems.create({
      customer: customerId,
      subscription: subscription.id,
      currency: 'usd',
      amount: 96,
    });

    env.emulator.clock.advance(31 * DAY);
    env.emulator.clock.advance(29 * DAY);

    const totals = (await env.stripe.invoices.list({ subscription: subscription.id })).data.map(
      (invoice) => invoice.total,
    );
    expect(totals).toEqual([2000, 2096, 2000]);
  });

  it('stay out of an invoice in another currency', async () => {
    const { customerId } = await subscribed(2000);
    const euro = await env.stripe.invoiceItems.create({
      customer: customerId,
      currency: 'eur',
      amount: 300,
    });

    env.emulator.clock.advance(31 * DAY);

    expect((await env.stripe.invoiceItems.retrieve(euro.id)).invoice).toBeNull();
  });
});

describe('invoiceItems.del', () => {
  it('deletes a pending item, which then bills nothing', async () => {
    const { subscription, customerId } = await subscribed(2000);
    const item = await env.stripe.invoiceItems.create({
      customer: customerId,
      subscription: subscription.id,
      currency: 'usd',
      amount: 96,
    });

    const deleted = await env.stripe.invoiceItems.del(item.id);
    env.emulator.clock.advance(31 * DAY);

    expect(deleted).toEqual({ id: item.id, object: 'invoiceitem', deleted: true });
    expect(await stripeError(env.stripe.invoiceItems.retrieve(item.id))).toMatchObject({
      statusCode: 404,
    });
    const [renewal] = (await env.stripe.invoices.list({ subscription: subscription.id })).data;
    expect(renewal?.total).toBe(2000);
    expect((await env.stripe.events.list({ type: 'invoiceitem.deleted' })).data).toHaveLength(1);
  });

  it('refuses to delete an item already on an invoice', async () => {
    const { subscription, customerId } = await subscribed(2000);
    const item = await env.stripe.invoiceItems.create({
      customer: customerId,
      subscription: subscription.id,
      currency: 'usd',
      amount: 96,
    });
    env.emulator.clock.advance(31 * DAY);

    const error = await stripeError(env.stripe.invoiceItems.del(item.id));

    expect(error).toMatchObject({ statusCode: 400 });
    expect((await env.stripe.invoiceItems.retrieve(item.id)).invoice).toMatch(/^in_/);
  });
});
