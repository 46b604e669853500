/**
 * Whatever a correctly signed body holds, the webhook answers without a 5xx: every object of
 * Stripe's own fixtures (../shared/stripe/fixtures3.json) wrapped as an event, under its own
 * type and under every type we handle, plus bodies Stripe would never send. A 5xx would make
 * Stripe retry the same bad body for three days; these are stored `failed` (or `ignored`)
 * with a reason instead.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HANDLED_EVENT_TYPES } from '../../src/billing/stripe-events/handlers';
import { createWebhookTestApp, postEvent, type WebhookTest } from './webhook-testing';

// All of ../shared/stripe/fixtures3.json (stripe/openapi: 176 object kinds), formatted for
// Biome, so a fresh clone has it. The emulator keeps only the 17 kinds it emulates in its own
// copy (packages/stripe-emulator/test/fixtures); this test wants every kind Stripe has.
const FIXTURES_PATH = new URL('../fixtures/stripe-fixtures3.json', import.meta.url);
const ZFixtures = z.object({ resources: z.record(z.string(), z.looseObject({})) });
const fixtures = Object.entries(
  ZFixtures.parse(JSON.parse(readFileSync(FIXTURES_PATH, 'utf8'))).resources,
);

let counter = 0;
function eventAround(object: unknown, type: string) {
  counter += 1;
  return {
    id: `evt_fixture${String(counter).padStart(6, '0')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: 1_900_000_000 + counter,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

async function deliver(w: WebhookTest, body: unknown) {
  const response = await postEvent(w, body);
  return { status: response.status, body: await response.text() };
}

describe('webhook: signed bodies of any shape', () => {
  it('answers every fixture object, under its own type and every handled one, without a 5xx', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    for (const [name, object] of fixtures) {
      for (const type of [`${name}.updated`, ...HANDLED_EVENT_TYPES]) {
        const { status, body } = await deliver(w, eventAround(object, type));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) fiveHundreds.push(`${type} around ${name}: ${body}`);
      }
    }
    expect(fixtures.length).toBe(176);
    expect(fiveHundreds).toEqual([]);
    expect([...statuses.keys()]).toEqual([200]);

    const stored = await w.t.deps.db
      .selectFrom('stripe_events')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute();
    const byStatus = Object.fromEntries(stored.map((row) => [row.status, Number(row.count)]));
    expect(byStatus.received).toBeUndefined();
    expect(byStatus.failed).toBeGreaterThan(0);
    expect(byStatus.ignored).toBeGreaterThan(0);
    const reasons = await w.t.deps.db
      .selectFrom('stripe_events')
      .select(['type', 'error'])
      .where('status', '=', 'failed')
      .execute();
    expect(reasons.every((row) => typeof row.error === 'string' && row.error.length > 0)).toBe(
      true,
    );
    // Thousands of signed posts: about 15 s alone, several times that on a loaded machine.
  }, 120_000);

  it.each([
    ['not JSON', 'this is not json {'],
    ['a JSON array', '[1,2,3]'],
    ['no id', JSON.stringify({ object: 'event', type: 'invoice.paid', data: { object: {} } })],
    [
      'an id of the wrong shape',
      JSON.stringify({ ...eventAround({}, 'invoice.paid'), id: "evt_'; drop table users;--" }),
    ],
    ['no data', JSON.stringify({ ...eventAround({}, 'invoice.paid'), data: undefined })],
    [
      'a NUL character (PostgreSQL jsonb refuses \\u0000)',
      JSON.stringify(
        eventAround({ object: 'invoice', id: 'in_\u0000x', note: '\u0000' }, 'invoice.paid'),
      ),
    ],
    [
      'an invoice event about a subscription object',
      JSON.stringify(eventAround({ object: 'subscription', id: 'sub_123' }, 'invoice.paid')),
    ],
  ])('stores a body with %s as failed, with the reason, and answers 200', async (_name, raw) => {
    const w = await createWebhookTestApp({ deliver: false });
    const first = await deliver(w, raw);
    expect(first.status).toBe(200);
    const rows = await w.t.deps.db
      .selectFrom('stripe_events')
      .select(['id', 'status', 'error'])
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('failed');
    expect(rows[0]?.error).toMatch(/\w/);

    // The same body again is a duplicate of the stored row, not a second one.
    expect((await deliver(w, raw)).status).toBe(200);
    expect(await w.t.deps.db.selectFrom('stripe_events').select('id').execute()).toHaveLength(1);
  });
});
