// Events: listed newest first and filterable by type, retrievable by id, each holding the object
// as it was when the event happened, with previous_attributes on updates and the request that
// caused it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  START,
  startReceiver,
  startTestEmulator,
  subscribe,
  type TestEnv,
} from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

describe('events', () => {
  it('record each change as a snapshot of the object at that moment', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.stripe.customers.update(customer.id, { name: 'Ada' });
    const [updated, created] = (await env.stripe.events.list({ type: 'customer.*' })).data;
    expect(created).toMatchObject({
      object: 'event',
      type: 'customer.created',
      api_version: env.emulator.apiVersion,
      created: START,
      livemode: false,
      data: { object: { id: customer.id, name: null } },
    });
    expect(updated).toMatchObject({
      type: 'customer.updated',
      data: { object: { id: customer.id, name: 'Ada' }, previous_attributes: { name: null } },
    });
    expect(created?.id).toMatch(/^evt_/);
  });

  it('name the request and idempotency key that caused them', async () => {
    const response = await env.stripe.customers.create(
      { email: 'ada@example.com' },
      { idempotencyKey: 'signup-1' },
    );
    const [event] = (await env.stripe.events.list()).data;
    expect(event?.request).toEqual({
      id: response.lastResponse.requestId,
      idempotency_key: 'signup-1',
    });
  });

  it('are retrievable by id', async () => {
    await env.stripe.customers.create({ email: 'ada@example.com' });
    const [listed] = (await env.stripe.events.list()).data;
    const retrieved = await env.stripe.events.retrieve(String(listed?.id));
    expect(retrieved.type).toBe('customer.created');
  });

  it('filter by several types', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    await subscribe(env, price);
    const list = await env.stripe.events.list({
      types: ['invoice.paid', 'checkout.session.completed'],
    });
    expect(list.data.map((event) => event.type)).toEqual([
      'checkout.session.completed',
      'invoice.paid',
    ]);
  });

  it('count down pending_webhooks as endpoints accept them', async () => {
    const receiver = await startReceiver(env.emulator.webhookSecret);
    env.emulator.webhooks.addEndpoint(receiver.url);
    await env.stripe.customers.create({ email: 'ada@example.com' });
    const [before] = (await env.stripe.events.list()).data;
    expect(before?.pending_webhooks).toBe(1);
    await env.emulator.webhooks.settled();
    const [after] = (await env.stripe.events.list()).data;
    expect(after?.pending_webhooks).toBe(0);
    await receiver.close();
  });
});
