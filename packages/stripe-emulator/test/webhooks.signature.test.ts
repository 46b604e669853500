// Deliveries are signed exactly like Stripe's, so the receiver's own
// `stripe.webhooks.constructEvent` accepts them — and rejects them under the wrong secret.

import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  DAY,
  type Receiver,
  startReceiver,
  startTestEmulator,
  subscribe,
  type TestEnv,
} from './helpers.ts';

let env: TestEnv;
let receiver: Receiver;
beforeEach(async () => {
  env = await startTestEmulator({ webhookSecret: 'whsec_test_secret_for_signatures' });
  receiver = await startReceiver('whsec_test_secret_for_signatures');
  env.emulator.webhooks.addEndpoint(receiver.url);
});
afterEach(async () => {
  await env.stop();
  await receiver.close();
});

describe('webhook signatures', () => {
  it('verify with constructEvent for every event of a checkout', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    await subscribe(env, price);
    await env.emulator.webhooks.settled();
    const stored = await env.stripe.events.list({ limit: 100 });
    expect(receiver.rejected).toBe(0);
    expect(receiver.events.map((event) => event.id).sort()).toEqual(
      stored.data.map((event) => event.id).sort(),
    );
  });

  it('use Stripe’s header format: t=<seconds>,v1=<hex HMAC-SHA256 of "t.payload">', async () => {
    await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.emulator.webhooks.settled();
    const [header] = receiver.signatures;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const event = receiver.events[0];
    const t = header?.split(',')[0]?.slice(2) ?? '';
    const payload = JSON.stringify(event, null, 2);
    const expected = createHmac('sha256', 'whsec_test_secret_for_signatures')
      .update(`${t}.${payload}`)
      .digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
  });

  it('keep verifying after the emulated clock jumps ahead (t is wall-clock time)', async () => {
    env.emulator.clock.advance(40 * DAY);
    await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.emulator.webhooks.settled();
    expect(receiver.rejected).toBe(0);
    expect(receiver.events).toHaveLength(1);
  });

  it('fail verification under another secret', async () => {
    const stranger = await startReceiver('whsec_someone_else');
    env.emulator.webhooks.addEndpoint(stranger.url);
    await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.emulator.webhooks.settled();
    expect(stranger.events).toEqual([]);
    expect(stranger.rejected).toBeGreaterThan(0);
    await stranger.close();
  });

  it('can give each endpoint its own secret', async () => {
    const other = await startReceiver('whsec_endpoint_two');
    env.emulator.webhooks.addEndpoint(other.url, 'whsec_endpoint_two');
    await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.emulator.webhooks.settled();
    expect(other.events.map((event) => event.type)).toEqual(['customer.created']);
    expect(receiver.events.map((event) => event.type)).toEqual(['customer.created']);
    await other.close();
  });
});
