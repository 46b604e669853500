import { describe, expect, it } from 'vitest';
import { failure } from '../support/accounts';
import {
  APP_URL,
  createJourneyApp,
  customerIdOf,
  OTHER_ALLOWED_ORIGIN,
  signUpCustomer,
  subscribe,
} from './journey-testing';

describe('billing.portal.create', () => {
  it("opens the customer's billing portal, which links back to APP_URL/billing by default", async () => {
    const { t, emulator } = await createJourneyApp();
    const { client } = await signUpCustomer(t);
    await subscribe(client, 'starter');

    const portal = await client.billing.portal.create.mutate({});

    expect(portal.url.startsWith(`${emulator.url}/p/session/`)).toBe(true);
    const page = await fetch(portal.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`href="${APP_URL}/billing"`);
    expect(html).toContain('Starter');
  });

  it('returns to a returnUrl on ALLOWED_ORIGINS and refuses one elsewhere', async () => {
    const { t } = await createJourneyApp();
    const { client } = await signUpCustomer(t);

    const portal = await client.billing.portal.create.mutate({
      returnUrl: `${OTHER_ALLOWED_ORIGIN}/account`,
    });
    const refused = await failure(
      client.billing.portal.create.mutate({ returnUrl: 'https://app.tollbooth.test.evil.test/' }),
    );

    expect(await (await fetch(portal.url)).text()).toContain(
      `href="${OTHER_ALLOWED_ORIGIN}/account"`,
    );
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'REDIRECT_NOT_ALLOWED' });
  });

  it('creates the customer on first need, so a user without one can add a card there', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);

    await client.billing.portal.create.mutate();

    const customer = await stripe.customers.retrieve(await customerIdOf(t, account.user.id));
    expect(customer).toMatchObject({ email: account.email });
  });
});
