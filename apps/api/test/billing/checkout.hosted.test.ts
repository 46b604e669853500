import { describe, expect, it } from 'vitest';
import {
  APP_URL,
  createJourneyApp,
  customerIdOf,
  OTHER_ALLOWED_ORIGIN,
  payOnHostedPage,
  signUpCustomer,
} from './journey-testing';

describe('billing.checkout.create', () => {
  it('opens a hosted subscription checkout for the plan, linked to the user three ways', async () => {
    const { t, emulator, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);
    const team = await t.deps.db
      .selectFrom('plans')
      .selectAll()
      .where('code', '=', 'team')
      .executeTakeFirstOrThrow();

    const checkout = await client.billing.checkout.create.mutate({ plan: 'team' });

    expect(checkout.url.startsWith(`${emulator.url}/c/pay/`)).toBe(true);
    const session = await stripe.checkout.sessions.retrieve(checkout.sessionId, {
      expand: ['line_items'],
    });
    const customer = await customerIdOf(t, account.user.id);
    expect(session).toMatchObject({
      mode: 'subscription',
      status: 'open',
      url: checkout.url,
      customer,
      client_reference_id: account.user.id,
      metadata: { userId: account.user.id, plan: 'team' },
      success_url: `${APP_URL}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${APP_URL}/billing`,
    });
    expect(session.line_items?.data.map((item) => [item.price?.id, item.quantity])).toEqual([
      [team.stripe_price_id, 1],
    ]);
    const stripeCustomer = await stripe.customers.retrieve(customer);
    expect(stripeCustomer).toMatchObject({
      email: account.email,
      metadata: { userId: account.user.id },
    });
  });

  it('counts created sessions by plan on /metrics', async () => {
    const { t } = await createJourneyApp();
    const { client } = await signUpCustomer(t);

    await client.billing.checkout.create.mutate({ plan: 'team' });
    await client.billing.checkout.create.mutate({ plan: 'team' });

    const metrics = await (await t.fetch('http://tollbooth.test/metrics')).text();
    expect(metrics).toContain('billing_checkout_sessions_created_total{plan="team"} 2');
  });

  it('paying on the hosted page by a form post redirects the browser to success_url with the session id', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);
    const checkout = await client.billing.checkout.create.mutate({
      plan: 'starter',
      successUrl: `${OTHER_ALLOWED_ORIGIN}/done?session_id={CHECKOUT_SESSION_ID}`,
    });

    const paid = await payOnHostedPage(checkout.url);

    expect(paid).toEqual({
      status: 303,
      location: `${OTHER_ALLOWED_ORIGIN}/done?session_id=${checkout.sessionId}`,
    });
    const session = await stripe.checkout.sessions.retrieve(checkout.sessionId);
    expect(session.status).toBe('complete');
    if (typeof session.subscription !== 'string') throw new Error('no subscription');
    const subscription = await stripe.subscriptions.retrieve(session.subscription);
    // subscription_data.metadata: how the subscription itself names its user.
    expect(subscription).toMatchObject({
      status: 'active',
      customer: await customerIdOf(t, account.user.id),
      metadata: { userId: account.user.id, plan: 'starter' },
    });
  });

  it('sends Cancel on the hosted page back to cancelUrl, and the session stays payable', async () => {
    const { t } = await createJourneyApp();
    const { client } = await signUpCustomer(t);
    const checkout = await client.billing.checkout.create.mutate({
      plan: 'starter',
      cancelUrl: `${APP_URL}/pricing?from=checkout`,
    });

    const page = await fetch(checkout.url);
    expect(page.status).toBe(200);
    await page.text();
    const canceled = await fetch(checkout.url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'cancel' }),
      redirect: 'manual',
    });

    expect(canceled.status).toBe(303);
    expect(canceled.headers.get('location')).toBe(`${APP_URL}/pricing?from=checkout`);
    expect((await payOnHostedPage(checkout.url)).status).toBe(303);
  });
});
