// Refunds on one-time payments: partial and full, by charge or payment intent, never more than
// was paid.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestEmulator, stripeError, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

async function paidCreditsPurchase() {
  const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
  const price = await env.stripe.prices.create({
    currency: 'usd',
    unit_amount: 1000,
    product_data: { name: 'Credits' },
  });
  const session = await env.stripe.checkout.sessions.create({
    mode: 'payment',
    customer: customer.id,
    line_items: [{ price: price.id, quantity: 1 }],
  });
  const { paymentIntent } = env.emulator.completeCheckout(session.id);
  const intent = await env.stripe.paymentIntents.retrieve(String(paymentIntent));
  return { intent, charge: String(intent.latest_charge) };
}

describe('refunds', () => {
  it('refund part of a payment, then the rest', async () => {
    const { intent, charge } = await paidCreditsPurchase();
    const partial = await env.stripe.refunds.create({
      payment_intent: intent.id,
      amount: 300,
      reason: 'requested_by_customer',
    });
    expect(partial).toMatchObject({
      object: 'refund',
      amount: 300,
      status: 'succeeded',
      charge,
      payment_intent: intent.id,
    });
    expect(partial.id).toMatch(/^re_/);
    expect(await env.stripe.charges.retrieve(charge)).toMatchObject({
      amount_refunded: 300,
      refunded: false,
    });

    const rest = await env.stripe.refunds.create({ charge });
    expect(rest.amount).toBe(700);
    expect(await env.stripe.charges.retrieve(charge)).toMatchObject({
      amount_refunded: 1000,
      refunded: true,
    });
    expect(
      (await env.stripe.refunds.list({ payment_intent: intent.id })).data.map((r) => r.amount),
    ).toEqual([700, 300]);
  });

  it('refuse more than is left', async () => {
    const { charge } = await paidCreditsPurchase();
    const error = await stripeError(env.stripe.refunds.create({ charge, amount: 1001 }));
    expect(error).toMatchObject({ statusCode: 400, param: 'amount' });
    await env.stripe.refunds.create({ charge });
    const twice = await stripeError(env.stripe.refunds.create({ charge }));
    expect(twice).toMatchObject({ code: 'charge_already_refunded' });
  });

  it('announce refund.created and charge.refunded', async () => {
    const { charge } = await paidCreditsPurchase();
    await env.stripe.refunds.create({ charge, amount: 250 });
    const events = await env.stripe.events.list({ types: ['refund.created', 'charge.refunded'] });
    expect(events.data.map((event) => event.type)).toEqual(['charge.refunded', 'refund.created']);
    expect(events.data[0]?.data.previous_attributes).toMatchObject({ amount_refunded: 0 });
  });

  it('are retrievable', async () => {
    const { charge } = await paidCreditsPurchase();
    const refund = await env.stripe.refunds.create({ charge });
    expect((await env.stripe.refunds.retrieve(refund.id)).amount).toBe(1000);
  });
});
