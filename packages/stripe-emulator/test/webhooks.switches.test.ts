// The test switches reproduce what breaks integrations in production: events out of order,
// events delivered twice, a first attempt that never arrives, and late deliveries.
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
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

/** Runs a checkout (one request's worth of events) and returns the events in emission order. */
async function checkoutEvents(): Promise<Stripe.Event[]> {
  const { price } = await createPlan(env.stripe, { amount: 2000 });
  await env.emulator.webhooks.settled();
  receiver.events.length = 0;
  await subscribe(env, price);
  await env.emulator.webhooks.settled();
  const stored = await env.stripe.events.list({ limit: 100 });
  return stored.data.filter((event) => receiver.events.some((r) => r.id === event.id)).reverse();
}

describe('webhook test switches', () => {
  it('deliver in emission order by default', async () => {
    const emitted = await checkoutEvents();
    expect(receiver.events.map((event) => event.id)).toEqual(emitted.map((event) => event.id));
  });

  it('outOfOrder delivers the events of one action newest first', async () => {
    env.emulator.webhooks.setSwitches({ outOfOrder: true });
    const emitted = await checkoutEvents();
    const types = receiver.events.map((event) => event.type);
    expect(receiver.events.map((event) => event.id)).toEqual(
      emitted.map((event) => event.id).reverse(),
    );
    expect(types.indexOf('customer.subscription.updated')).toBeLessThan(
      types.indexOf('customer.subscription.created'),
    );
  });

  it('duplicate delivers every event twice with the same id', async () => {
    env.emulator.webhooks.setSwitches({ duplicate: true });
    const emitted = await checkoutEvents();
    expect(receiver.events).toHaveLength(emitted.length * 2);
    for (const event of emitted) {
      expect(receiver.events.filter((r) => r.id === event.id)).toHaveLength(2);
    }
  });

  it('dropFirstAttempt makes every event arrive only on its retry', async () => {
    env.emulator.webhooks.setSwitches({ dropFirstAttempt: true });
    await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.emulator.webhooks.settled();
    expect(receiver.events.map((event) => event.type)).toEqual(['customer.created']);
    expect(receiver.requests).toBe(1);
    expect(env.emulator.webhooks.attempts().map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'dropped'],
      [2, 'delivered'],
    ]);
  });

  it('delayMs holds deliveries back until later', async () => {
    env.emulator.webhooks.setSwitches({ delayMs: 300 });
    await env.stripe.customers.create({ email: 'ada@example.com' });
    expect(receiver.requests).toBe(0);
    await env.emulator.webhooks.settled();
    expect(receiver.events.map((event) => event.type)).toEqual(['customer.created']);
  });

  it('can be switched over HTTP by a test in another process', async () => {
    const headers = { Authorization: `Bearer ${env.emulator.secretKey}` };
    const response = await fetch(`${env.emulator.url}/_emulator/webhooks`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ duplicate: 'true', out_of_order: 'true' }),
    });
    expect(await response.json()).toMatchObject({
      endpoints: [receiver.url],
      switches: { duplicate: true, outOfOrder: true, dropFirstAttempt: false, delayMs: 0 },
    });
    await env.stripe.customers.create({ email: 'ada@example.com' });
    const settled = await fetch(`${env.emulator.url}/_emulator/webhooks/settled`, { headers });
    expect(await settled.json()).toEqual({ settled: true });
    expect(receiver.events).toHaveLength(2);
  });
});
