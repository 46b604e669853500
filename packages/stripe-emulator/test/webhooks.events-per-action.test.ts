// Each action sends the events a real Stripe account sends, in order, each carrying the object
// as it was at that moment.
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  PERIOD_END,
  type Receiver,
  startReceiver,
  startTestEmulator,
  subscribe,
  type TestEnv,
} from './helpers.ts';

let env: TestEnv;
let receiver: Receiver;
beforeEach(async () => {
  env = await startTestEmulator();
  receiver = await startReceiver(env.emulator.webhookSecret);
  env.emulator.webhooks.addEndpoint(receiver.url);
});
afterEach(async () => {
  await env.stop();
  await receiver.close();
});

async function received(): Promise<Stripe.Event[]> {
  await env.emulator.webhooks.settled();
  const events = [...receiver.events];
  receiver.events.length = 0;
  return events;
}

const objectOf = (event: Stripe.Event | undefined) => event?.data.object;

describe('events per action', () => {
  it('checkout in subscription mode', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    await received();
    await subscribe(env, price);
    const events = await received();
    expect(events.map((event) => event.type)).toEqual([
      'customer.created',
      'payment_method.attached',
      'customer.subscription.created',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
      'checkout.session.completed',
    ]);
    const byType = (type: string) => events.find((event) => event.type === type);
    expect(objectOf(byType('customer.subscription.created'))).toMatchObject({
      status: 'incomplete',
    });
    expect(byType('customer.subscription.updated')?.data).toMatchObject({
      object: { status: 'active' },
      previous_attributes: { status: 'incomplete' },
    });
    expect(objectOf(byType('invoice.created'))).toMatchObject({ status: 'draft', number: null });
    expect(objectOf(byType('invoice.finalized'))).toMatchObject({ status: 'open' });
    expect(objectOf(byType('invoice.paid'))).toMatchObject({ status: 'paid', amount_paid: 2000 });
    expect(objectOf(byType('checkout.session.completed'))).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
    });
  });

  it('checkout in payment mode for an existing customer', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const price = await env.stripe.prices.create({
      currency: 'usd',
      unit_amount: 900,
      product_data: { name: 'Credits' },
    });
    const session = await env.stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
    });
    await received();
    env.emulator.completeCheckout(session.id);
    expect((await received()).map((event) => event.type)).toEqual([
      'payment_method.attached',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'checkout.session.completed',
    ]);
  });

  it('a renewal', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    await subscribe(env, price);
    await received();
    env.emulator.clock.advanceTo(PERIOD_END);
    const events = await received();
    expect(events.map((event) => event.type)).toEqual([
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
    ]);
    expect(events[0]?.request).toEqual({ id: null, idempotency_key: null });
    expect(objectOf(events[1])).toMatchObject({ billing_reason: 'subscription_cycle' });
  });

  it('a declined renewal', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { customerId } = await subscribe(env, price);
    env.emulator.attachDecliningCard(customerId);
    await received();
    env.emulator.clock.advanceTo(PERIOD_END);
    const events = await received();
    expect(events.map((event) => event.type)).toEqual([
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'customer.subscription.updated',
    ]);
    expect(events.at(-1)?.data).toMatchObject({
      object: { status: 'past_due' },
      previous_attributes: { status: 'active' },
    });
  });

  it('a cancellation taking effect at period end', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription } = await subscribe(env, price);
    await received();
    await env.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect((await received()).map((event) => event.type)).toEqual([
      'customer.subscription.updated',
    ]);
    env.emulator.clock.advanceTo(PERIOD_END);
    const events = await received();
    expect(events.map((event) => event.type)).toEqual(['customer.subscription.deleted']);
    expect(objectOf(events[0])).toMatchObject({ status: 'canceled', ended_at: PERIOD_END });
  });
});
