import { startStripeEmulator } from '@tollbooth/stripe-emulator';
import { afterAll, describe, expect, it } from 'vitest';
import { createStripeClient } from '../../src/billing/stripe-client';
import { ConfigError, parseConfig } from '../../src/config';

function configError(env: Record<string, string>) {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return { variable: error.variable, message: error.message };
  }
  throw new Error('expected a configuration error');
}

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://h/db',
  PUBLIC_URL: 'https://api.example.com',
  APP_URL: 'https://app.example.com',
  JWT_PRIVATE_KEYS: '{"keys":[]}',
  SMTP_URL: 'smtp://mail.example.com',
  AUTH_SECRET_KEY: 'q83vEjR0Jm9SZ1Yp0l3k2w4uM1b8kq0lC9x7b6n5v4A=',
};

describe('Stripe configuration', () => {
  it('leaves billing off (no client) without STRIPE_SECRET_KEY, in production too', () => {
    expect(parseConfig({}).stripe).toBeUndefined();
    expect(createStripeClient(parseConfig(PRODUCTION).stripe)).toBeNull();
  });

  it.each([
    ['STRIPE_SECRET_KEY', { STRIPE_SECRET_KEY: 'pk_test_123' }, 'must be a Stripe secret key'],
    ['STRIPE_WEBHOOK_SECRET', { STRIPE_WEBHOOK_SECRET: 'secret' }, 'must be a Stripe webhook'],
    ['STRIPE_API_URL', { STRIPE_API_URL: 'ftp://stripe' }, 'must be an http(s) URL'],
    ['STRIPE_TIMEOUT_MS', { STRIPE_TIMEOUT_MS: '10' }, 'must be an integer from 1000'],
    [
      'STRIPE_WEBHOOK_SECRET',
      { ...PRODUCTION, STRIPE_SECRET_KEY: 'sk_live_abc' },
      'is required in production when STRIPE_SECRET_KEY is set',
    ],
  ])('names %s when it is wrong (%j)', (variable, env, message) => {
    const error = configError(env);

    expect(error.variable).toBe(variable);
    expect(error.message).toContain(`Invalid configuration: ${variable} ${message}`);
  });

  it('points the real SDK at STRIPE_API_URL (the emulator here)', async () => {
    const emulator = await startStripeEmulator();
    afterAll(() => emulator.stop());
    const config = parseConfig({
      STRIPE_SECRET_KEY: emulator.secretKey,
      STRIPE_API_URL: `${emulator.url}/`,
    });

    const stripe = createStripeClient(config.stripe);
    const product = await stripe?.products.create({ name: 'Probe' });

    expect(config.stripe).toMatchObject({ timeoutMs: 15_000, maxNetworkRetries: 2 });
    // Only the emulator knows this key: an answer means the request went there.
    expect(product?.id).toMatch(/^prod_/);
  });
});
