// Checkout sessions over the API: creation in both modes with Stripe's validation, retrieval,
// line items, expiry, and what completion produces (helper-driven; the hosted page has its own
// test file).
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlan, DAY, START, startTestEmulator, stripeError, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

async function creditsPrice() {
  const product = await env.stripe.products.create({ name: '1,000 credits' });
  return env.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 900 });
}

describe('creating a checkout session', () => {
  it('in subscription mode carries the caller’s references and a hosted url', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const session = await env.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 2 }],
      customer_email: 'ada@example.com',
      client_reference_id: 'user_42',
      metadata: { user_id: '42' },
      success_url: 'https://app.example.com/ok?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://app.example.com/cancel',
    });
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'subscription',
      status: 'open',
      payment_status: 'unpaid',
      customer: null,
      customer_email: 'ada@example.com',
      client_reference_id: 'user_42',
      metadata: { user_id: '42' },
      amount_subtotal: 4000,
      amount_total: 4000,
      currency: 'usd',
      expires_at: START + DAY,
      success_url: 'https://app.example.com/ok?session={CHECKOUT_SESSION_ID}',
    });
    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{58}$/);
    expect(session.url).toBe(`${env.emulator.url}/c/pay/${session.id}`);
  });

  it('in payment mode for an existing customer', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const price = await creditsPrice();
    const session = await env.stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'https://app.example.com/ok',
    });
    expect(session).toMatchObject({
      mode: 'payment',
      customer: customer.id,
      amount_total: 900,
      customer_creation: 'if_required',
    });
  });

  it('with inline price_data', async () => {
    const session = await env.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: 1234, product_data: { name: 'Top-up' } },
          quantity: 1,
        },
      ],
      success_url: 'https://app.example.com/ok',
    });
    const items = await env.stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data[0]).toMatchObject({
      object: 'item',
      description: 'Top-up',
      amount_total: 1234,
    });
  });

  it.each([
    ['recurring prices in payment mode', 'payment', 'recurring', 'line_items'],
    ['only one-time prices in subscription mode', 'subscription', 'one_time', 'line_items'],
  ] as const)('rejects %s', async (_name, mode, kind, param) => {
    const price =
      kind === 'recurring'
        ? (await createPlan(env.stripe, { amount: 100 })).price
        : await creditsPrice();
    const error = await stripeError(
      env.stripe.checkout.sessions.create({
        mode,
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: 'https://a.example/ok',
      }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.param).toBe(param);
  });

  it('rejects customer together with customer_email', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const price = await creditsPrice();
    const error = await stripeError(
      env.stripe.checkout.sessions.create({
        mode: 'payment',
        customer: customer.id,
        customer_email: 'ada@example.com',
        line_items: [{ price: price.id, quantity: 1 }],
      }),
    );
    expect(error.message).toMatch(/only specify one of these parameters: customer, customer_email/);
  });

  it('rejects an archived price', async () => {
    const price = await creditsPrice();
    await env.stripe.prices.update(price.id, { active: false });
    const error = await stripeError(
      env.stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price: price.id, quantity: 1 }],
      }),
    );
    expect(error).toMatchObject({ param: 'line_items[0][price]' });
  });
});

describe('an open checkout session', () => {
  it('is retrievable and lists its line items', async () => {
    const { price, product } = await createPlan(env.stripe, { amount: 2000, name: 'Team' });
    const created = await env.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 3 }],
      success_url: 'https://app.example.com/ok',
    });
    expect((await env.stripe.checkout.sessions.retrieve(created.id)).status).toBe('open');
    const items = await env.stripe.checkout.sessions.listLineItems(created.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({
      quantity: 3,
      amount_subtotal: 6000,
      description: product.name,
      price: { id: price.id },
    });
    expect(items.url).toBe(`/v1/checkout/sessions/${created.id}/line_items`);
  });

  it('expires on request, once', async () => {
    const price = await creditsPrice();
    const session = await env.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
    });
    const expired = await env.stripe.checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    const again = await stripeError(env.stripe.checkout.sessions.expire(session.id));
    expect(again.statusCode).toBe(400);
    const events = await env.stripe.events.list({ type: 'checkout.session.expired' });
    expect(events.data.map((e) => e.data.object)).toMatchObject([
      { id: session.id, status: 'expired' },
    ]);
  });

  it('expires by itself after 24 hours', async () => {
    const price = await creditsPrice();
    const session = await env.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
    });
    env.emulator.clock.advance(DAY);
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
  });
});

describe('completing a checkout session', () => {
  it('in subscription mode creates the customer, card and an active subscription', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const session = await env.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      customer_email: 'ada@example.com',
      metadata: { user_id: '42' },
      subscription_data: { metadata: { user_id: '42' } },
      success_url: 'https://app.example.com/ok?session={CHECKOUT_SESSION_ID}',
    });
    const completion = env.emulator.completeCheckout(session.id);
    expect(completion.redirectUrl).toBe(`https://app.example.com/ok?session=${session.id}`);

    const done = await env.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription'],
    });
    expect(done).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      customer_details: { email: 'ada@example.com' },
    });
    const subscription = done.subscription;
    if (typeof subscription !== 'object' || !subscription)
      throw new Error('expected an expanded subscription');
    expect(subscription).toMatchObject({
      status: 'active',
      customer: done.customer,
      metadata: { user_id: '42' },
    });
    const customer = await env.stripe.customers.retrieve(String(done.customer));
    expect(customer).toMatchObject({ email: 'ada@example.com' });
    const cards = await env.stripe.customers.listPaymentMethods(String(done.customer));
    expect(cards.data[0]?.card?.last4).toBe('4242');
  });

  it('in payment mode charges once and leaves a succeeded payment intent', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const price = await creditsPrice();
    const session = await env.stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 2 }],
      payment_intent_data: { metadata: { pack: 'credits_1000' } },
    });
    env.emulator.completeCheckout(session.id);
    const done = await env.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['payment_intent'],
    });
    const intent = done.payment_intent;
    if (typeof intent !== 'object' || !intent)
      throw new Error('expected an expanded payment intent');
    expect(intent).toMatchObject({
      status: 'succeeded',
      amount: 1800,
      amount_received: 1800,
      customer: customer.id,
      metadata: { pack: 'credits_1000' },
    });
    expect(done.subscription).toBeNull();
  });

  it('in payment mode without a customer creates none unless customer_creation=always', async () => {
    const price = await creditsPrice();
    const guest = await env.stripe.checkout.sessions.create({
      mode: 'payment',
      customer_email: 'g@example.com',
      line_items: [{ price: price.id, quantity: 1 }],
    });
    const always = await env.stripe.checkout.sessions.create({
      mode: 'payment',
      customer_email: 'a@example.com',
      customer_creation: 'always',
      line_items: [{ price: price.id, quantity: 1 }],
    });
    expect(env.emulator.completeCheckout(guest.id).customer).toBeNull();
    expect(env.emulator.completeCheckout(always.id).customer).toMatch(/^cus_/);
  });

  it('with a declined card stays open and can be retried', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const session = await env.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      customer_email: 'ada@example.com',
    });
    const decline = env.emulator.failCheckout(session.id);
    expect(decline).toMatchObject({ code: 'card_declined', declineCode: 'generic_decline' });
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect((await env.stripe.subscriptions.list()).data).toHaveLength(0);
    env.emulator.completeCheckout(session.id);
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).status).toBe('complete');
  });

  it('does not copy session metadata to the subscription (as Stripe does not)', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const session = await env.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      customer_email: 'ada@example.com',
      metadata: { user_id: '42' },
    });
    const { subscription } = env.emulator.completeCheckout(session.id);
    expect((await env.stripe.subscriptions.retrieve(String(subscription))).metadata).toEqual({});
  });

  it('lists sessions by customer and status', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const price = await creditsPrice();
    const first = await env.stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
    });
    await env.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
    });
    env.emulator.completeCheckout(first.id);
    const mine = await env.stripe.checkout.sessions.list({
      customer: customer.id,
      status: 'complete',
    });
    expect(mine.data.map((s) => s.id)).toEqual([first.id]);
  });
});
