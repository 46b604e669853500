// Errors come back in Stripe's envelope with Stripe's statuses, so integrations exercise their
// real error handling: 404 resource_missing for unknown ids, 400 with `param` for bad
// parameters, 402 card_error for declines, 404 for unknown URLs.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestEmulator, stripeError, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

describe('unknown ids', () => {
  const cases: [string, (s: Stripe) => Promise<unknown>, string, string][] = [
    ['customer', (s) => s.customers.retrieve('cus_missing'), 'customer', 'cus_missing'],
    ['product', (s) => s.products.retrieve('prod_missing'), 'product', 'prod_missing'],
    ['price', (s) => s.prices.retrieve('price_missing'), 'price', 'price_missing'],
    [
      'checkout session',
      (s) => s.checkout.sessions.retrieve('cs_test_missing'),
      'checkout.session',
      'cs_test_missing',
    ],
    ['subscription', (s) => s.subscriptions.retrieve('sub_missing'), 'subscription', 'sub_missing'],
    ['invoice', (s) => s.invoices.retrieve('in_missing'), 'invoice', 'in_missing'],
    [
      'payment method',
      (s) => s.paymentMethods.retrieve('pm_missing'),
      'PaymentMethod',
      'pm_missing',
    ],
    ['event', (s) => s.events.retrieve('evt_missing'), 'event', 'evt_missing'],
    ['refund', (s) => s.refunds.retrieve('re_missing'), 'refund', 're_missing'],
  ];

  it.each(cases)('a %s answers 404 resource_missing', async (_name, call, kind, id) => {
    const error = await stripeError(call(env.stripe));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
      message: `No such ${kind}: '${id}'`,
      doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
    });
  });

  it('an unknown id inside the parameters answers 400 naming the parameter', async () => {
    const error = await stripeError(
      env.stripe.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price: 'price_missing', quantity: 1 }],
        success_url: 'https://app.example.com/ok',
      }),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'line_items[0][price]',
      message: "No such price: 'price_missing'",
    });
  });
});

describe('bad parameters', () => {
  it('a missing required parameter is parameter_missing', async () => {
    const error = await stripeError(env.stripe.rawRequest('POST', '/v1/products', {}));
    expect(error).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'name' });
  });

  it('an unknown parameter is parameter_unknown and changes nothing', async () => {
    const error = await stripeError(
      env.stripe.rawRequest('POST', '/v1/customers', { email: 'a@example.com', emial: 'typo' }),
    );
    expect(error).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'emial' });
    expect((await env.stripe.customers.list()).data).toHaveLength(0);
  });

  it('an unknown nested parameter is reported with its bracket name', async () => {
    const error = await stripeError(
      env.stripe.rawRequest('POST', '/v1/checkout/sessions', {
        mode: 'payment',
        line_items: [{ price: 'price_x', quantity: 1, pricee: 'price_x' }],
      }),
    );
    expect(error).toMatchObject({ code: 'parameter_unknown', param: 'line_items[0][pricee]' });
  });

  it('a non-integer amount is parameter_invalid_integer', async () => {
    const product = await env.stripe.products.create({ name: 'Pro' });
    const error = await stripeError(
      env.stripe.rawRequest('POST', '/v1/prices', {
        product: product.id,
        currency: 'usd',
        unit_amount: 'ten',
      }),
    );
    expect(error).toMatchObject({ code: 'parameter_invalid_integer', param: 'unit_amount' });
  });

  it('a value outside an enum names the allowed values', async () => {
    const error = await stripeError(
      env.stripe.rawRequest('POST', '/v1/checkout/sessions', {
        mode: 'rent',
        line_items: [{ price: 'p', quantity: 1 }],
      }),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      param: 'mode',
      type: 'StripeInvalidRequestError',
    });
    expect(error.message).toBe('Invalid mode: must be one of payment, setup, or subscription');
  });

  it('an invalid email is email_invalid', async () => {
    const error = await stripeError(env.stripe.customers.create({ email: 'not an email' }));
    expect(error).toMatchObject({ code: 'email_invalid', param: 'email' });
  });
});

describe('card errors and unknown routes', () => {
  it('a declined card answers 402 card_error with the decline code', async () => {
    const customer = await env.stripe.customers.create({ email: 'a@example.com' });
    const error = await stripeError(
      env.stripe.paymentMethods.attach('pm_card_chargeDeclinedInsufficientFunds', {
        customer: customer.id,
      }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({
      statusCode: 402,
      rawType: 'card_error',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
    });
  });

  it('an unknown URL answers 404 Unrecognized request URL', async () => {
    const error = await stripeError(env.stripe.rawRequest('GET', '/v1/unicorns', {}));
    expect(error.statusCode).toBe(404);
    expect(error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/unicorns\)/);
  });
});
