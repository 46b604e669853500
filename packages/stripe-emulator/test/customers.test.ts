// Customers: create, retrieve, update, list by email; the invoice default card must be one of
// the customer's own cards.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { START, startTestEmulator, stripeError, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

describe('customers', () => {
  it('creates a customer with Stripe’s defaults', async () => {
    const customer = await env.stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      metadata: { user_id: 'u_1' },
    });
    expect(customer).toMatchObject({
      object: 'customer',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      metadata: { user_id: 'u_1' },
      balance: 0,
      created: START,
      livemode: false,
      delinquent: false,
      invoice_settings: { default_payment_method: null },
      next_invoice_sequence: 1,
    });
    expect(customer.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(customer.invoice_prefix).toMatch(/^[A-Z0-9]{8}$/);
  });

  it('retrieves what it stored', async () => {
    const created = await env.stripe.customers.create({ email: 'ada@example.com' });
    const { lastResponse: _created, ...stored } = created;
    const { lastResponse: _retrieved, ...retrieved } = await env.stripe.customers.retrieve(
      created.id,
    );
    expect(retrieved).toEqual(stored);
  });

  it('updates fields and merges metadata', async () => {
    const created = await env.stripe.customers.create({
      email: 'ada@example.com',
      metadata: { a: '1' },
    });
    const updated = await env.stripe.customers.update(created.id, {
      email: 'ada@lovelace.dev',
      phone: '+441234567890',
      metadata: { b: '2' },
    });
    expect(updated).toMatchObject({
      email: 'ada@lovelace.dev',
      phone: '+441234567890',
      metadata: { a: '1', b: '2' },
    });
  });

  it('lists customers filtered by exact email', async () => {
    await env.stripe.customers.create({ email: 'ada@example.com' });
    const grace = await env.stripe.customers.create({ email: 'grace@example.com' });
    const found = await env.stripe.customers.list({ email: 'grace@example.com' });
    expect(found.data.map((c) => c.id)).toEqual([grace.id]);
    expect((await env.stripe.customers.list({ email: 'GRACE@example.com' })).data).toEqual([]);
  });

  it('sets the invoice default card only to a card attached to this customer', async () => {
    const ada = await env.stripe.customers.create({ email: 'ada@example.com' });
    const grace = await env.stripe.customers.create({ email: 'grace@example.com' });
    const card = await env.stripe.paymentMethods.attach('pm_card_visa', { customer: grace.id });
    const error = await stripeError(
      env.stripe.customers.update(ada.id, {
        invoice_settings: { default_payment_method: card.id },
      }),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      param: 'invoice_settings[default_payment_method]',
    });
    const updated = await env.stripe.customers.update(grace.id, {
      invoice_settings: { default_payment_method: card.id },
    });
    expect(updated.invoice_settings.default_payment_method).toBe(card.id);
  });
});
