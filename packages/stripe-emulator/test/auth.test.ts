// Secret-key authentication answers like Stripe: 401 with Stripe's message, which the SDK
// raises as StripeAuthenticationError.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestEmulator, stripeError, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

describe('secret key authentication', () => {
  it('accepts the configured secret key as a bearer token', async () => {
    const list = await env.stripe.customers.list();
    expect(list.object).toBe('list');
  });

  it('rejects a wrong key with 401 and a redacted key in the message', async () => {
    const wrong = new Stripe('sk_test_not_the_right_key_1234', {
      ...env.emulator.stripeConfig,
      maxNetworkRetries: 0,
    });
    const error = await stripeError(wrong.customers.list());
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error).toMatchObject({
      statusCode: 401,
      type: 'StripeAuthenticationError',
      message: expect.stringMatching(/^Invalid API Key provided: sk_test_\*+1234$/),
    });
  });

  it('rejects a request without a key with 401', async () => {
    const response = await fetch(`${env.emulator.url}/v1/customers`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        message: expect.stringMatching(/^You did not provide an API key/),
      },
    });
  });

  it('accepts HTTP basic auth with the key as the user name, as curl -u does', async () => {
    const basic = Buffer.from(`${env.emulator.secretKey}:`).toString('base64');
    const response = await fetch(`${env.emulator.url}/v1/customers`, {
      headers: { Authorization: `Basic ${basic}` },
    });
    expect(response.status).toBe(200);
  });

  it('guards the test-helper endpoints with the same key', async () => {
    const response = await fetch(`${env.emulator.url}/_emulator/clock`);
    expect(response.status).toBe(401);
  });
});
