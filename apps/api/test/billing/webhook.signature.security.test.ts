/**
 * Only Stripe's signature lets a body in: forged, stale and missing signatures are refused
 * with 400 before anything is stored, and the log holds nothing of the body but the event id.
 */
import { describe, expect, it } from 'vitest';
import { readErrorEnvelope } from '../harness';
import { createWebhookTestApp, postEvent, signed, storedEvents } from './webhook-testing';

const EVENT = {
  id: 'evt_forged0000000000000001',
  object: 'event',
  type: 'customer.subscription.updated',
  created: 1_900_000_000,
  livemode: false,
  api_version: '2026-10-28.endive',
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: {
    object: {
      id: 'sub_forged',
      object: 'subscription',
      status: 'active',
      customer: 'cus_secret42',
    },
  },
};
const BODY = JSON.stringify(EVENT);

describe('webhook signatures', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['no Stripe-Signature header', () => ({ 'content-type': 'application/json' })],
    [
      'a signature made with another secret',
      () => ({
        'stripe-signature': `t=${now()},v1=${'ab'.repeat(32)}`,
      }),
    ],
    ['a garbled header', () => ({ 'stripe-signature': 'nonsense' })],
  ])('refuses %s with 400 and stores nothing', async (_name, headers) => {
    const w = await createWebhookTestApp({ deliver: false });
    const response = await postEvent(w, BODY, headers());
    expect(response.status).toBe(400);
    expect((await readErrorEnvelope(response)).error.appCode).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await storedEvents(w)).toEqual([]);
  });

  it('refuses a correctly signed body whose signature is older than 300 seconds', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    const stale = signed(w, BODY, now() - 301);
    const response = await postEvent(w, BODY, { 'stripe-signature': stale });
    expect(response.status).toBe(400);
    expect(await storedEvents(w)).toEqual([]);

    const fresh = signed(w, BODY, now() - 240);
    expect((await postEvent(w, BODY, { 'stripe-signature': fresh })).status).toBe(200);
    expect(await storedEvents(w)).toHaveLength(1);
  });

  it('refuses a signed body changed after signing', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    const signature = signed(w, BODY);
    const tampered = BODY.replace('"active"', '"canceled"');
    expect((await postEvent(w, tampered, { 'stripe-signature': signature })).status).toBe(400);
    expect(await storedEvents(w)).toEqual([]);
  });

  it('logs the claimed event id of a refused body and nothing else of it', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    await postEvent(w, BODY, { 'stripe-signature': 'nonsense' });
    const lines = w.t.logs.lines.join('\n');
    expect(lines).toContain('evt_forged0000000000000001');
    for (const secret of ['cus_secret42', 'sub_forged', 'customer.subscription.updated']) {
      expect(lines).not.toContain(secret);
    }
  });

  it('answers 413 for a body beyond BODY_LIMIT_BYTES, before reading it', async () => {
    const w = await createWebhookTestApp({ deliver: false, env: { BODY_LIMIT_BYTES: '2048' } });
    const big = JSON.stringify({ ...EVENT, padding: 'x'.repeat(4_000) });
    const response = await postEvent(w, big);
    expect(response.status).toBe(413);
    expect(await storedEvents(w)).toEqual([]);
  });

  it('says billing is off (412 BILLING_DISABLED) when no webhook secret is configured', async () => {
    const w = await createWebhookTestApp({ deliver: false, env: { STRIPE_WEBHOOK_SECRET: '' } });
    const response = await postEvent(w, BODY);
    expect(response.status).toBe(412);
    expect((await readErrorEnvelope(response)).error.appCode).toBe('BILLING_DISABLED');
  });
});
