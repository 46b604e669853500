// Products and prices: one-time and recurring (monthly, yearly), lookup keys that are unique
// and transferable, and the list filters plan pages use.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestEmulator, stripeError, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

describe('products', () => {
  it('creates, retrieves, updates and lists products', async () => {
    const product = await env.stripe.products.create({
      name: 'Pro',
      description: 'For teams',
      metadata: { tier: 'pro' },
    });
    expect(product).toMatchObject({
      object: 'product',
      name: 'Pro',
      active: true,
      description: 'For teams',
    });
    expect(product.id).toMatch(/^prod_/);
    expect((await env.stripe.products.retrieve(product.id)).name).toBe('Pro');
    const archived = await env.stripe.products.update(product.id, {
      active: false,
      name: 'Pro (legacy)',
    });
    expect(archived).toMatchObject({ active: false, name: 'Pro (legacy)' });
    const other = await env.stripe.products.create({ name: 'Basic' });
    expect((await env.stripe.products.list({ active: true })).data.map((p) => p.id)).toEqual([
      other.id,
    ]);
  });

  it('accepts a caller-chosen id once', async () => {
    await env.stripe.products.create({ id: 'prod_credits', name: 'Credits' });
    const error = await stripeError(
      env.stripe.products.create({ id: 'prod_credits', name: 'Again' }),
    );
    expect(error).toMatchObject({ statusCode: 400, code: 'resource_already_exists' });
  });
});

describe('prices', () => {
  it('creates one-time, monthly and yearly prices', async () => {
    const product = await env.stripe.products.create({ name: 'Pro' });
    const once = await env.stripe.prices.create({
      product: product.id,
      currency: 'USD',
      unit_amount: 500,
    });
    const monthly = await env.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2000,
      recurring: { interval: 'month' },
    });
    const yearly = await env.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 20000,
      recurring: { interval: 'year' },
    });
    expect(once).toMatchObject({
      type: 'one_time',
      recurring: null,
      currency: 'usd',
      unit_amount: 500,
    });
    expect(once.unit_amount_decimal?.toString()).toBe('500');
    expect(monthly).toMatchObject({
      type: 'recurring',
      recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
    });
    expect(yearly.recurring?.interval).toBe('year');
    expect((await env.stripe.prices.list({ type: 'recurring' })).data.map((p) => p.id)).toEqual([
      yearly.id,
      monthly.id,
    ]);
    expect(
      (await env.stripe.prices.list({ recurring: { interval: 'year' } })).data.map((p) => p.id),
    ).toEqual([yearly.id]);
  });

  it('creates the product inline with product_data', async () => {
    const price = await env.stripe.prices.create({
      currency: 'usd',
      unit_amount: 900,
      product_data: { name: 'Credits pack' },
    });
    const product = await env.stripe.products.retrieve(String(price.product));
    expect(product.name).toBe('Credits pack');
  });

  it('finds prices by lookup key and keeps lookup keys unique', async () => {
    const product = await env.stripe.products.create({ name: 'Pro' });
    const v1 = await env.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2000,
      recurring: { interval: 'month' },
      lookup_key: 'pro_monthly',
    });
    const byKey = await env.stripe.prices.list({ lookup_keys: ['pro_monthly'] });
    expect(byKey.data.map((p) => p.id)).toEqual([v1.id]);

    const clash = await stripeError(
      env.stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 2500,
        lookup_key: 'pro_monthly',
      }),
    );
    expect(clash).toMatchObject({ statusCode: 400, param: 'lookup_key' });

    const v2 = await env.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2500,
      recurring: { interval: 'month' },
      lookup_key: 'pro_monthly',
      transfer_lookup_key: true,
    });
    expect(
      (await env.stripe.prices.list({ lookup_keys: ['pro_monthly'] })).data.map((p) => p.id),
    ).toEqual([v2.id]);
    expect((await env.stripe.prices.retrieve(v1.id)).lookup_key).toBeNull();
  });

  it('updates the mutable fields of a price', async () => {
    const product = await env.stripe.products.create({ name: 'Pro' });
    const price = await env.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 100,
    });
    const updated = await env.stripe.prices.update(price.id, {
      active: false,
      nickname: 'old',
      metadata: { a: 'b' },
    });
    expect(updated).toMatchObject({
      active: false,
      nickname: 'old',
      metadata: { a: 'b' },
      unit_amount: 100,
    });
    expect((await env.stripe.prices.list({ active: false })).data.map((p) => p.id)).toEqual([
      price.id,
    ]);
  });
});
