// Idempotency-Key: a retried POST with the same key and body gets the first response again (and
// creates nothing new); the same key with a different body or endpoint is an idempotency_error.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestEmulator, stripeError, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and parameters', async () => {
    const first = await env.stripe.customers.create(
      { email: 'ada@example.com', metadata: { user_id: '42' } },
      { idempotencyKey: 'signup-42' },
    );
    const again = await env.stripe.customers.create(
      { email: 'ada@example.com', metadata: { user_id: '42' } },
      { idempotencyKey: 'signup-42' },
    );
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    const all = await env.stripe.customers.list();
    expect(all.data).toHaveLength(1);
  });

  it('rejects the same key with different parameters', async () => {
    await env.stripe.customers.create({ email: 'ada@example.com' }, { idempotencyKey: 'k1' });
    const error = await stripeError(
      env.stripe.customers.create({ email: 'grace@example.com' }, { idempotencyKey: 'k1' }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
    expect(error.message).toMatch(/same parameters/);
  });

  it('rejects the same key on another endpoint', async () => {
    await env.stripe.customers.create({ email: 'ada@example.com' }, { idempotencyKey: 'k2' });
    const error = await stripeError(
      env.stripe.products.create({ name: 'Pro' }, { idempotencyKey: 'k2' }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('saves nothing for a request rejected by validation, so the key can be reused once fixed', async () => {
    const product = await env.stripe.products.create({ name: 'Pro' });
    const invalid = await stripeError(
      env.stripe.prices.create(
        { currency: 'usd', unit_amount: -5, product: product.id },
        { idempotencyKey: 'k3' },
      ),
    );
    expect(invalid).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const fixed = await env.stripe.prices.create(
      { currency: 'usd', unit_amount: 100, product: product.id },
      { idempotencyKey: 'k3' },
    );
    expect(fixed.id).toMatch(/^price_/);
  });

  it('replays a card decline too, since the request had started executing', async () => {
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    const attach = () =>
      stripeError(
        env.stripe.paymentMethods.attach(
          'pm_card_chargeDeclined',
          { customer: customer.id },
          { idempotencyKey: 'k5' },
        ),
      );
    const first = await attach();
    const second = await attach();
    expect(first).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(second).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
  });

  it('treats requests without a key independently', async () => {
    await env.stripe.customers.create({ email: 'ada@example.com' });
    await env.stripe.customers.create({ email: 'ada@example.com' });
    expect((await env.stripe.customers.list()).data).toHaveLength(2);
  });
});
