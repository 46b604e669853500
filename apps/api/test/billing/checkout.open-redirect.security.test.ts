import { describe, expect, it } from 'vitest';
import { failure } from '../support/accounts';
import { APP_URL, createJourneyApp, OTHER_ALLOWED_ORIGIN, signUpCustomer } from './journey-testing';

// Each would send a paying customer (or one leaving the portal) to a page we do not own.
const REFUSED = [
  ['another site', 'https://evil.test/billing'],
  ['a look-alike suffix', `${APP_URL}.evil.test/billing`],
  ['credentials before the host', 'https://app.tollbooth.test@evil.test/billing'],
  ['a protocol-relative URL', '//evil.test/billing'],
  ['a relative path', '/billing/success'],
  ['javascript:', 'javascript:alert(1)'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['plain http on the https origin', 'http://app.tollbooth.test/billing'],
  ['another port', 'https://app.tollbooth.test:8443/billing'],
  ['a backslash trick', 'https://evil.test\\@app.tollbooth.test/'],
] as const;

describe('billing redirect URLs: no open redirect', () => {
  it.each(REFUSED)('checkout refuses a successUrl with %s', async (_label, url) => {
    const { t, stripe } = await createJourneyApp();
    const { client } = await signUpCustomer(t);

    const refused = await failure(
      client.billing.checkout.create.mutate({ plan: 'starter', successUrl: url }),
    );

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'REDIRECT_NOT_ALLOWED' });
    expect(Object.keys(refused.data.fieldErrors ?? {})).toEqual(['successUrl']);
    expect((await stripe.checkout.sessions.list({ limit: 10 })).data).toEqual([]);
  });

  it('refuses a foreign cancelUrl and a foreign portal returnUrl by field', async () => {
    const { t } = await createJourneyApp();
    const { client } = await signUpCustomer(t);

    const checkout = await failure(
      client.billing.checkout.create.mutate({ plan: 'starter', cancelUrl: 'https://evil.test/' }),
    );
    const portal = await failure(
      client.billing.portal.create.mutate({ returnUrl: 'https://evil.test/' }),
    );

    expect(checkout).toMatchObject({ appCode: 'REDIRECT_NOT_ALLOWED' });
    expect(checkout.data.fieldErrors).toHaveProperty('cancelUrl');
    expect(portal).toMatchObject({ appCode: 'REDIRECT_NOT_ALLOWED' });
    expect(portal.data.fieldErrors).toHaveProperty('returnUrl');
  });

  it('accepts URLs on APP_URL and on ALLOWED_ORIGINS', async () => {
    const { t, stripe } = await createJourneyApp();
    const { client } = await signUpCustomer(t);

    const checkout = await client.billing.checkout.create.mutate({
      plan: 'starter',
      successUrl: `${APP_URL}/welcome?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${OTHER_ALLOWED_ORIGIN}/back`,
    });

    const session = await stripe.checkout.sessions.retrieve(checkout.sessionId);
    expect([session.success_url, session.cancel_url]).toEqual([
      `${APP_URL}/welcome?session_id={CHECKOUT_SESSION_ID}`,
      `${OTHER_ALLOWED_ORIGIN}/back`,
    ]);
  });
});
