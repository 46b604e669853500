// Invoices: one at subscription start, numbered and hosted; listed by customer or subscription;
// their lines; paying an open one after the card is fixed.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  liveCustomer,
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

describe('the first invoice', () => {
  it('is created, numbered, paid and hosted when the subscription starts', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription, customerId } = await subscribe(env, price);
    const invoice = await env.stripe.invoices.retrieve(String(subscription.latest_invoice));
    const customer = await liveCustomer(env.stripe, customerId);
    expect(invoice).toMatchObject({
      object: 'invoice',
      status: 'paid',
      billing_reason: 'subscription_create',
      customer: customerId,
      customer_email: 'ada@example.com',
      currency: 'usd',
      subtotal: 2000,
      total: 2000,
      amount_due: 2000,
      amount_paid: 2000,
      amount_remaining: 0,
      attempt_count: 1,
      number: `${customer.invoice_prefix}-0001`,
      parent: {
        type: 'subscription_details',
        subscription_details: { subscription: subscription.id },
      },
      status_transitions: { finalized_at: START, paid_at: START },
    });
    expect(invoice.id).toMatch(/^in_/);
    expect(invoice.lines.data[0]).toMatchObject({
      amount: 2000,
      description: '1 × Pro (at $20.00 / month)',
      period: { start: START, end: PERIOD_END },
      pricing: { price_details: { price: price.id } },
    });
    expect(customer.next_invoice_sequence).toBe(2);
  });

  it('has a hosted page that shows it', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription } = await subscribe(env, price);
    const invoice = await env.stripe.invoices.retrieve(String(subscription.latest_invoice));
    expect(invoice.hosted_invoice_url).toBe(`${env.emulator.url}/i/${invoice.id}`);
    const page = await fetch(String(invoice.hosted_invoice_url));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(String(invoice.number));
    expect(html).toContain('$20.00');
  });
});

describe('listing invoices', () => {
  it('filters by customer, subscription and status', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const ada = await subscribe(env, price, 'ada@example.com');
    const grace = await subscribe(env, price, 'grace@example.com');
    env.emulator.clock.advanceTo(PERIOD_END);
    const adaInvoices = await env.stripe.invoices.list({ customer: ada.customerId });
    expect(adaInvoices.data).toHaveLength(2);
    const graceInvoices = await env.stripe.invoices.list({ subscription: grace.subscription.id });
    expect(graceInvoices.data.map((i) => i.billing_reason)).toEqual([
      'subscription_cycle',
      'subscription_create',
    ]);
    expect((await env.stripe.invoices.list({ status: 'open' })).data).toEqual([]);
    const lines = await env.stripe.invoices.listLineItems(String(graceInvoices.data[0]?.id));
    expect(lines.data).toHaveLength(1);
  });
});

describe('paying an open invoice', () => {
  it('declines with the failing card, then succeeds once a good card is the default', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription, customerId } = await subscribe(env, price);
    env.emulator.attachDecliningCard(customerId);
    env.emulator.clock.advanceTo(PERIOD_END);
    const [open] = (await env.stripe.invoices.list({ status: 'open' })).data;
    expect(open?.billing_reason).toBe('subscription_cycle');
    const declined = await stripeError(env.stripe.invoices.pay(String(open?.id)));
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);

    const card = await env.stripe.paymentMethods.attach('pm_card_visa', { customer: customerId });
    const paid = await env.stripe.invoices.pay(String(open?.id), { payment_method: card.id });
    expect(paid).toMatchObject({ status: 'paid', amount_remaining: 0 });
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });

  it('refuses an invoice that is already paid', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription } = await subscribe(env, price);
    const error = await stripeError(env.stripe.invoices.pay(String(subscription.latest_invoice)));
    expect(error).toMatchObject({ statusCode: 400, code: 'invoice_not_open' });
  });
});
