// Billing portal sessions and the hosted portal: cancel at period end, renew, switch plan, and
// the way back to return_url — each a form POST answered with a 303, as a browser would see.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  liveCustomer,
  startTestEmulator,
  stripeError,
  subscribe,
  type TestEnv,
} from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

async function portalFor() {
  const basic = await createPlan(env.stripe, { amount: 1000, name: 'Basic' });
  const team = await env.stripe.prices.create({
    product: (await env.stripe.products.create({ name: 'Team' })).id,
    currency: 'usd',
    unit_amount: 5000,
    recurring: { interval: 'month' },
  });
  const { subscription, customerId } = await subscribe(env, basic.price);
  const session = await env.stripe.billingPortal.sessions.create({
    customer: customerId,
    return_url: 'https://app.example.com/account',
  });
  return { session, subscription, team, customerId };
}

function act(url: string, fields: Record<string, string>) {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

describe('billing portal sessions', () => {
  it('are created for a customer with a hosted url and the return url', async () => {
    const { session, customerId } = await portalFor();
    expect(session).toMatchObject({
      object: 'billing_portal.session',
      customer: customerId,
      return_url: 'https://app.example.com/account',
    });
    expect(session.id).toMatch(/^bps_/);
    expect(session.url).toBe(`${env.emulator.url}/p/session/${session.id}`);
  });

  it('refuse an unknown customer', async () => {
    const error = await stripeError(
      env.stripe.billingPortal.sessions.create({ customer: 'cus_nope' }),
    );
    expect(error).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
  });
});

describe('the hosted portal', () => {
  it('shows the plan, the card, the invoices and the way back', async () => {
    const { session } = await portalFor();
    const html = await (await fetch(session.url)).text();
    expect(html).toContain('1 × Basic (at $10.00 / month)');
    expect(html).toContain('visa ending 4242');
    expect(html).toContain('href="https://app.example.com/account"');
    expect(html).toContain('Switch to 1 × Team (at $50.00 / month)');
  });

  it('cancels at period end, then renews', async () => {
    const { session, subscription } = await portalFor();
    const cancel = await act(session.url, { action: 'cancel', subscription: subscription.id });
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get('location')).toBe(`/p/session/${session.id}`);
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(
      true,
    );
    expect(await (await fetch(session.url)).text()).toContain('Cancels on 2030-02-15');

    await act(session.url, { action: 'renew', subscription: subscription.id });
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(
      false,
    );
  });

  it('switches plan with prorations queued for the next invoice', async () => {
    const { session, subscription, team } = await portalFor();
    await act(session.url, { action: 'switch', subscription: subscription.id, price: team.id });
    const switched = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(switched.items.data[0]?.price.id).toBe(team.id);
    const [event] = (
      await env.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })
    ).data;
    expect(event?.request).toEqual({ id: null, idempotency_key: null });
  });

  it('replaces the card, e.g. with one whose charges decline', async () => {
    const { session, subscription, customerId } = await portalFor();
    await act(session.url, { action: 'card', card: 'chargeCustomerFail' });
    const customer = await liveCustomer(env.stripe, customerId);
    const card = await env.stripe.paymentMethods.retrieve(
      String(customer.invoice_settings.default_payment_method),
    );
    expect(card.card?.last4).toBe('0341');
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).default_payment_method).toBe(
      card.id,
    );
  });
});
