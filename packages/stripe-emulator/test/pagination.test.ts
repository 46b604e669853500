// Lists are newest first and paginate with cursors: `limit`, `starting_after`, `ending_before`
// and `has_more`, so the SDK's auto-pagination walks every object exactly once.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, stripeError, type TestEnv } from './helpers.ts';

let env: TestEnv;
let createdIds: string[];

beforeAll(async () => {
  env = await startTestEmulator();
  createdIds = [];
  for (let i = 0; i < 25; i++) {
    createdIds.push((await env.stripe.customers.create({ email: `user${i}@example.com` })).id);
  }
});
afterAll(() => env.stop());

const newestFirst = () => [...createdIds].reverse();

describe('list pagination', () => {
  it('returns the newest ten by default, with has_more', async () => {
    const page = await env.stripe.customers.list();
    expect(page.object).toBe('list');
    expect(page.url).toBe('/v1/customers');
    expect(page.data.map((c) => c.id)).toEqual(newestFirst().slice(0, 10));
    expect(page.has_more).toBe(true);
  });

  it('walks forward with starting_after until has_more is false', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await env.stripe.customers.list({
        limit: 7,
        ...(cursor ? { starting_after: cursor } : {}),
      });
      seen.push(...page.data.map((c) => c.id));
      if (!page.has_more) break;
      cursor = page.data.at(-1)?.id;
    }
    expect(seen).toEqual(newestFirst());
  });

  it('walks backward with ending_before', async () => {
    const ids = newestFirst();
    const page = await env.stripe.customers.list({ limit: 5, ending_before: ids[12] });
    expect(page.data.map((c) => c.id)).toEqual(ids.slice(7, 12));
    expect(page.has_more).toBe(true);
    const first = await env.stripe.customers.list({ limit: 5, ending_before: ids[4] });
    expect(first.data.map((c) => c.id)).toEqual(ids.slice(0, 4));
    expect(first.has_more).toBe(false);
  });

  it('works with the SDK auto-pagination', async () => {
    const all = await env.stripe.customers.list({ limit: 4 }).autoPagingToArray({ limit: 100 });
    expect(all.map((c) => c.id)).toEqual(newestFirst());
  });

  it('applies filters before paginating', async () => {
    const page = await env.stripe.customers.list({ email: 'user3@example.com' });
    expect(page.data.map((c) => c.id)).toEqual([createdIds[3]]);
    expect(page.has_more).toBe(false);
  });

  it.each([0, 101])('rejects limit=%i', async (limit) => {
    const error = await stripeError(env.stripe.customers.list({ limit }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.param).toBe('limit');
  });

  it('rejects an unknown cursor as resource_missing', async () => {
    const error = await stripeError(env.stripe.customers.list({ starting_after: 'cus_nope' }));
    expect(error).toMatchObject({
      code: 'resource_missing',
      param: 'starting_after',
      statusCode: 400,
    });
  });
});
