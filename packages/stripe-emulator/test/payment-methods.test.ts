// Payment methods: the card saved by Checkout, Stripe's magic test ids for attach, listing by
// customer (both endpoints), detaching.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  liveCustomer,
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

describe('payment methods', () => {
  it('lists the card a checkout saved, on both list endpoints', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { customerId, subscription } = await subscribe(env, price);
    const viaPaymentMethods = await env.stripe.paymentMethods.list({
      customer: customerId,
      type: 'card',
    });
    const viaCustomer = await env.stripe.customers.listPaymentMethods(customerId);
    expect(viaPaymentMethods.data.map((m) => m.id)).toEqual(viaCustomer.data.map((m) => m.id));
    expect(viaCustomer.data[0]).toMatchObject({
      object: 'payment_method',
      type: 'card',
      customer: customerId,
      card: { brand: 'visa', last4: '4242', exp_year: 2034 },
      billing_details: { email: 'ada@example.com' },
    });
    expect(subscription.default_payment_method).toBe(viaCustomer.data[0]?.id);
  });

  it('attaches Stripe’s magic test payment methods as new cards', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const visa = await env.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const failing = await env.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: customer.id,
    });
    expect(visa.id).toMatch(/^pm_/);
    expect(visa.id).not.toBe('pm_card_visa');
    expect(failing.card?.last4).toBe('0341');
    const listed = await env.stripe.paymentMethods.list({ customer: customer.id });
    expect(listed.data.map((m) => m.id)).toEqual([failing.id, visa.id]);
  });

  it('creates from a test token and attaches later', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const method = await env.stripe.paymentMethods.create({
      type: 'card',
      card: { token: 'tok_mastercard' },
    });
    expect(method.customer).toBeNull();
    const attached = await env.stripe.paymentMethods.attach(method.id, { customer: customer.id });
    expect(attached).toMatchObject({
      id: method.id,
      customer: customer.id,
      card: { brand: 'mastercard' },
    });
  });

  it('refuses to attach a card that declines on validation', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const error = await stripeError(
      env.stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((await env.stripe.paymentMethods.list({ customer: customer.id })).data).toEqual([]);
  });

  it('detaches a card and clears it as the invoice default', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const card = await env.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await env.stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: card.id },
    });
    const detached = await env.stripe.paymentMethods.detach(card.id);
    expect(detached.customer).toBeNull();
    const after = await liveCustomer(env.stripe, customer.id);
    expect(after.invoice_settings.default_payment_method).toBeNull();
    expect((await env.stripe.paymentMethods.list({ customer: customer.id })).data).toEqual([]);
  });
});
