/**
 * Webhook ingestion figures: signed Stripe events posted to POST /webhooks/stripe, each with a
 * fresh id (distinct: verified, stored once, applied in its transaction) or one id again and
 * again (duplicate: verified, found, nothing applied), beside a raw Hono route that verifies
 * the same signature and does one INSERT … ON CONFLICT DO NOTHING. Bodies are Stripe's own
 * payment_intent fixture (about 3 kB), signed as Stripe signs: HMAC-SHA256 over "t.payload".
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestSpec } from './load';

export const BENCH_WEBHOOK_SECRET = `whsec_bench${randomBytes(16).toString('hex')}`;

const fixtures: { resources: Record<string, Record<string, unknown>> } = JSON.parse(
  readFileSync(
    new URL('../../packages/stripe-emulator/test/fixtures/stripe-fixtures3.json', import.meta.url),
    'utf8',
  ),
);

function sign(payload: string): string {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', BENCH_WEBHOOK_SECRET).update(`${t}.${payload}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

function eventBody(id: string, type: string, object: Record<string, unknown>): string {
  return JSON.stringify(
    {
      id,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    },
    null,
    2,
  );
}

let counter = 0;

/** Each request a new event (a fresh id) of `type` about `object`. */
export function distinctEvents(
  prefix: string,
  type = 'payment_intent.created',
  object: Record<string, unknown> = fixtures.resources.payment_intent ?? {},
): RequestSpec {
  const run = randomBytes(4).toString('hex');
  return {
    method: 'POST',
    path: '/webhooks/stripe',
    headers: { 'content-type': 'application/json' },
    next() {
      counter += 1;
      const body = eventBody(`evt_${prefix}_${run}_${counter}`, type, object);
      return { body, headers: { 'stripe-signature': sign(body) } };
    },
  };
}

/** The same event every time (freshly signed, as Stripe signs each retry). */
export function duplicateEvent(prefix: string): { spec: RequestSpec; first: () => RequestInit } {
  const body = eventBody(
    `evt_${prefix}_${randomBytes(4).toString('hex')}`,
    'payment_intent.created',
    fixtures.resources.payment_intent ?? {},
  );
  const headers = () => ({ 'content-type': 'application/json', 'stripe-signature': sign(body) });
  return {
    spec: {
      method: 'POST',
      path: '/webhooks/stripe',
      headers: { 'content-type': 'application/json' },
      next: () => ({ body, headers: { 'stripe-signature': sign(body) } }),
    },
    first: () => ({ method: 'POST', headers: headers(), body }),
  };
}
