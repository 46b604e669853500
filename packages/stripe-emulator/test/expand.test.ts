// expand[] replaces ids with objects along the paths Tollbooth reads, on single objects and on
// lists, and refuses fields that are not expandable.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlan, startTestEmulator, stripeError, subscribe, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

describe('expand[]', () => {
  it('expands a checkout session’s subscription, customer and line items', async () => {
    const { price } = await createPlan(env.stripe, { amount: 1500 });
    const { session } = await subscribe(env, price);
    const expanded = await env.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription', 'customer', 'line_items'],
    });
    expect(typeof expanded.subscription === 'object' && expanded.subscription?.object).toBe(
      'subscription',
    );
    expect(typeof expanded.customer === 'object' && expanded.customer?.object).toBe('customer');
    expect(expanded.line_items?.data[0]?.price?.id).toBe(price.id);
    const plain = await env.stripe.checkout.sessions.retrieve(session.id);
    expect(typeof plain.subscription).toBe('string');
    expect(plain.line_items).toBeUndefined();
  });

  it('expands a subscription’s latest invoice, default payment method and nested paths', async () => {
    const { price, product } = await createPlan(env.stripe, { amount: 1500 });
    const { subscription } = await subscribe(env, price);
    const expanded = await env.stripe.subscriptions.retrieve(subscription.id, {
      expand: ['latest_invoice', 'default_payment_method', 'items.data.price.product'],
    });
    const invoice = expanded.latest_invoice;
    expect(typeof invoice === 'object' && invoice?.status).toBe('paid');
    const method = expanded.default_payment_method;
    expect(typeof method === 'object' && method?.card?.last4).toBe('4242');
    const itemProduct = expanded.items.data[0]?.price.product;
    expect(typeof itemProduct === 'object' && itemProduct.id).toBe(product.id);
  });

  it('expands an invoice’s subscription, old and new style', async () => {
    const { price } = await createPlan(env.stripe, { amount: 1500 });
    const { subscription } = await subscribe(env, price);
    const [invoice] = (await env.stripe.invoices.list({ subscription: subscription.id })).data;
    const typed = await env.stripe.invoices.retrieve(invoice?.id ?? '', {
      expand: ['parent.subscription_details.subscription'],
    });
    const parentSubscription = typed.parent?.subscription_details?.subscription;
    expect(typeof parentSubscription === 'object' && parentSubscription.id).toBe(subscription.id);
    // `invoice.subscription` predates the 2025 API and is not in the SDK's types any more.
    const legacy = await env.stripe.rawRequest(
      'GET',
      `/v1/invoices/${invoice?.id}?expand[]=subscription`,
    );
    expect(legacy.subscription.id).toBe(subscription.id);
  });

  it('expands inside list data', async () => {
    const { price } = await createPlan(env.stripe, { amount: 1500 });
    await subscribe(env, price);
    const list = await env.stripe.subscriptions.list({ expand: ['data.customer'] });
    const customer = list.data[0]?.customer;
    expect(typeof customer === 'object' && customer.object).toBe('customer');
  });

  it('refuses a field that is not an expandable id', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const error = await stripeError(
      env.stripe.customers.retrieve(customer.id, { expand: ['email'] }),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      message: 'This property cannot be expanded (email).',
    });
  });
});
