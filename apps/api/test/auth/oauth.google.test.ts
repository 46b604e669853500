import { OAuth2Server } from 'oauth2-mock-server';
import { afterAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp, type TestApp } from '../harness';
import { newEmail } from '../support/accounts';
import { codeFrom, signInThroughProvider } from '../support/oauth-browser';

const APP_URL = 'https://app.example.com';
const CLIENT_ID = 'google-client-id';

async function setup(claims: Record<string, unknown>) {
  const issuer = new OAuth2Server();
  await issuer.issuer.keys.generate('RS256');
  await issuer.start(0, '127.0.0.1');
  afterAll(() => issuer.stop());
  const requests: Array<Record<string, unknown>> = [];
  issuer.service.on('beforeTokenSigning', (token, request) => {
    requests.push({ ...request.body });
    Object.assign(token.payload, claims);
  });
  // The mock issuer signs with the real time (iat, nbf, exp), so the app's clock starts there.
  const t = await createTestApp({
    clock: createManualClock(new Date()),
    env: {
      APP_URL,
      GOOGLE_CLIENT_ID: CLIENT_ID,
      GOOGLE_CLIENT_SECRET: 'google-secret',
      GOOGLE_ISSUER_URL: issuer.issuer.url ?? '',
    },
  });
  return { t, requests };
}

/** Why the last code exchange failed, as the server logged it (never sent to the browser). */
async function exchangeFailure(t: TestApp): Promise<string> {
  // pino writes through a stream: let the last line land.
  await new Promise((resolve) => setImmediate(resolve));
  const entry = t.logs.entries().find((line) => line.msg === 'oauth code exchange failed');
  return String(entry?.reason ?? '');
}

describe('sign-in with Google (OpenID Connect)', () => {
  it('signs in with PKCE and a verified id_token, creating the account', async () => {
    const email = newEmail('google');
    const { t, requests } = await setup({
      sub: 'google-sub-1',
      email,
      email_verified: true,
      name: 'Goo Gle',
      picture: 'https://img.example.com/g.png',
    });

    const { start, location, verifier } = await signInThroughProvider(t, 'google', {
      redirectTo: `${APP_URL}/done`,
    });

    const authorize = new URL(start.headers.get('location') ?? '');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('nonce')).toEqual(expect.any(String));
    expect(requests.some((body) => typeof body.code_verifier === 'string')).toBe(true);
    const code = codeFrom(location);
    const session = await t.client().auth.exchangeOAuthCode.mutate({ code, verifier });
    expect(session.user).toMatchObject({
      email,
      name: 'Goo Gle',
      imageUrl: 'https://img.example.com/g.png',
      emailVerified: true,
    });
  });

  it('refuses an id_token whose email is not verified', async () => {
    const { t } = await setup({ sub: 'google-sub-2', email: newEmail(), email_verified: false });

    const { location } = await signInThroughProvider(t, 'google');

    expect(new URL(location ?? '').searchParams.get('error')).toBe('oauth_failed');
    // The token itself was fine; the account rules refused it.
    expect(await exchangeFailure(t)).toBe('');
    expect(await t.deps.db.selectFrom('users').select('id').execute()).toEqual([]);
  });

  it('refuses an id_token issued for another client (wrong audience)', async () => {
    const { t } = await setup({
      sub: 'google-sub-3',
      email: newEmail(),
      email_verified: true,
      aud: 'someone-else',
    });

    const { location } = await signInThroughProvider(t, 'google');

    expect(new URL(location ?? '').searchParams.get('error')).toBe('oauth_failed');
    expect(await exchangeFailure(t)).toMatch(/aud/);
  });

  it('refuses an id_token whose nonce does not match the one this browser sent', async () => {
    const { t } = await setup({
      sub: 'google-sub-4',
      email: newEmail(),
      email_verified: true,
      nonce: 'replayed',
    });

    const { location } = await signInThroughProvider(t, 'google');

    expect(new URL(location ?? '').searchParams.get('error')).toBe('oauth_failed');
    expect(await exchangeFailure(t)).toMatch(/nonce/);
  });
});
