// Failed deliveries — a 5xx, a timeout, an unreachable endpoint — are retried with backoff until
// the endpoint accepts them or the schedule runs out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, startTestEmulator, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator({ webhooks: { retryDelaysMs: [5, 5, 5], timeoutMs: 200 } });
});
afterEach(() => env.stop());

describe('webhook retries', () => {
  it('redeliver after a 500 from the receiver', async () => {
    const receiver = await startReceiver(env.emulator.webhookSecret, (n) => (n === 1 ? 500 : 200));
    env.emulator.webhooks.addEndpoint(receiver.url);
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.emulator.webhooks.settled();
    expect(receiver.requests).toBe(2);
    expect(receiver.events.map((event) => event.type)).toEqual(['customer.created']);
    expect(receiver.events[0]?.data.object).toMatchObject({ id: customer.id });
    expect(env.emulator.webhooks.attempts().map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 500, 'failed'],
      [2, 200, 'delivered'],
    ]);
    await receiver.close();
  });

  it('redeliver after a timeout', async () => {
    const receiver = await startReceiver(env.emulator.webhookSecret, (n) =>
      n === 1 ? 'hang' : 200,
    );
    env.emulator.webhooks.addEndpoint(receiver.url);
    await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.emulator.webhooks.settled();
    expect(receiver.events).toHaveLength(1);
    const [first, second] = env.emulator.webhooks.attempts();
    expect(first).toMatchObject({ attempt: 1, status: null, outcome: 'failed' });
    expect(second).toMatchObject({ attempt: 2, status: 200, outcome: 'delivered' });
    await receiver.close();
  });

  it('give up when every attempt fails, leaving the event pending', async () => {
    const receiver = await startReceiver(env.emulator.webhookSecret, () => 503);
    env.emulator.webhooks.addEndpoint(receiver.url);
    await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.emulator.webhooks.settled();
    expect(receiver.requests).toBe(4);
    expect(env.emulator.webhooks.attempts().every((a) => a.outcome === 'failed')).toBe(true);
    const [event] = (await env.stripe.events.list()).data;
    expect(event?.pending_webhooks).toBe(1);
    await receiver.close();
  });

  it('retry an endpoint that refuses connections', async () => {
    const receiver = await startReceiver(env.emulator.webhookSecret);
    const url = receiver.url;
    await receiver.close();
    env.emulator.webhooks.addEndpoint(url);
    await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.emulator.webhooks.settled();
    const attempts = env.emulator.webhooks.attempts();
    expect(attempts).toHaveLength(4);
    expect(attempts[0]).toMatchObject({
      status: null,
      outcome: 'failed',
      error: expect.any(String),
    });
  });

  it('keep delivering later events while one waits for its retry', async () => {
    // Many short retries, so the first event is still being retried when the second one is
    // created. The receiver refuses the first event until a later one has arrived: with
    // head-of-line blocking the later event would wait behind every retry, the first event
    // would use up its schedule and never be accepted.
    await env.stop();
    env = await startTestEmulator({
      webhooks: { retryDelaysMs: Array.from({ length: 50 }, () => 20), timeoutMs: 200 },
    });
    let first: string | undefined;
    let laterArrived = false;
    const receiver = await startReceiver(env.emulator.webhookSecret, (_n, event) => {
      first ??= event.id;
      if (event.id !== first) laterArrived = true;
      return event.id === first && !laterArrived ? 500 : 200;
    });
    env.emulator.webhooks.addEndpoint(receiver.url);
    const ada = await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.stripe.customers.create({ email: 'grace@example.com' });
    await env.emulator.webhooks.settled();

    const name = (eventId: string) => (eventId === first ? 'ada' : 'grace');
    const order = receiver.arrivals
      .map((arrival) => `${name(arrival.eventId)} ${arrival.status}`)
      .filter((entry, i, all) => entry !== all[i - 1]);
    expect(order).toEqual(['ada 500', 'grace 200', 'ada 200']);
    expect(receiver.events.find((event) => event.id === first)?.data.object).toMatchObject({
      id: ada.id,
    });
    expect(receiver.events).toHaveLength(2);
    await receiver.close();
  });
});
