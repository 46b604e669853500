// The hosted Checkout page, driven over HTTP exactly as a browser would: GET the session's
// url, POST the form, follow the 303.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlan, liveCustomer, startTestEmulator, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

async function openSession(options: { email?: string } = {}) {
  const { price } = await createPlan(env.stripe, { amount: 2000, name: 'Pro <b>plan</b>' });
  return env.stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: price.id, quantity: 1 }],
    ...(options.email ? { customer_email: options.email } : {}),
    success_url: 'https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://app.example.com/billing/cancel',
  });
}

function post(url: string, fields: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

describe('the hosted checkout page', () => {
  it('shows the line items, escaped, and the test cards', async () => {
    const session = await openSession({ email: 'ada@example.com' });
    const response = await fetch(String(session.url));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Pro &lt;b&gt;plan&lt;/b&gt;');
    expect(html).not.toContain('<b>plan</b>');
    expect(html).toContain('$20.00');
    expect(html).toContain('ada@example.com');
    expect(html).toContain('ending 4242');
  });

  it('completes on Pay and redirects to success_url with the session id', async () => {
    const session = await openSession({ email: 'ada@example.com' });
    const response = await post(String(session.url), { action: 'pay', card: 'visa' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      `https://app.example.com/billing/success?session_id=${session.id}`,
    );
    const done = await env.stripe.checkout.sessions.retrieve(session.id);
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expect(done.subscription).toMatch(/^sub_/);
  });

  it('takes the email from the form when the session has none', async () => {
    const session = await openSession();
    const missing = await post(String(session.url), { action: 'pay', card: 'visa' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Enter your email address.');
    const paid = await post(String(session.url), {
      action: 'pay',
      card: 'visa',
      email: 'grace@example.com',
    });
    expect(paid.status).toBe(303);
    const done = await env.stripe.checkout.sessions.retrieve(session.id);
    expect((await liveCustomer(env.stripe, String(done.customer))).email).toBe('grace@example.com');
  });

  it('accepts a typed test card number', async () => {
    const session = await openSession({ email: 'ada@example.com' });
    const response = await post(String(session.url), {
      action: 'pay',
      card_number: '5555 5555 5555 4444',
    });
    expect(response.status).toBe(303);
    const done = await env.stripe.checkout.sessions.retrieve(session.id);
    const cards = await env.stripe.paymentMethods.list({ customer: String(done.customer) });
    expect(cards.data[0]?.card?.brand).toBe('mastercard');
  });

  it('redirects to cancel_url on Cancel and leaves the session open', async () => {
    const session = await openSession({ email: 'ada@example.com' });
    const response = await post(String(session.url), { action: 'cancel' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://app.example.com/billing/cancel');
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('shows the decline on a declined card and stays open', async () => {
    const session = await openSession({ email: 'ada@example.com' });
    const response = await post(String(session.url), { action: 'pay', card: 'insufficientFunds' });
    expect(response.status).toBe(402);
    expect(await response.text()).toContain('Your card has insufficient funds.');
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('refuses to pay twice', async () => {
    const session = await openSession({ email: 'ada@example.com' });
    await post(String(session.url), { action: 'pay', card: 'visa' });
    const again = await post(String(session.url), { action: 'pay', card: 'visa' });
    expect(again.status).toBe(409);
    expect((await env.stripe.subscriptions.list()).data).toHaveLength(1);
  });

  it('answers 404 for an unknown session', async () => {
    const response = await fetch(`${env.emulator.url}/c/pay/cs_test_nope`);
    expect(response.status).toBe(404);
  });
});
