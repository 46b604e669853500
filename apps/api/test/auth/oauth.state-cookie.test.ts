import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { OAUTH_STATE_COOKIE } from '../../src/auth/oauth/state';
import { verificationKeyFor } from '../../src/auth/tokens/signing-keys';
import { createTestApp, readErrorEnvelope, type TestApp } from '../harness';
import { newEmail } from '../support/accounts';
import { startFakeGitHub } from '../support/fake-github';
import { consent, deliverCallback, startFlow } from '../support/oauth-browser';

async function setup() {
  const github = await startFakeGitHub();
  github.setAccount({
    id: 5005,
    name: null,
    emails: [{ email: newEmail('state'), primary: true, verified: true }],
  });
  return createTestApp({
    env: {
      APP_URL: 'https://app.example.com',
      ...github.env,
    },
  });
}

/**
 * Runs a flow up to the callback, re-signing the state cookie the browser got with `sign`,
 * so a test controls the cookie's header and key but keeps its genuine claims.
 */
async function callbackWithResignedCookie(
  t: TestApp,
  sign: (claims: ReturnType<typeof decodeJwt>, kid: string) => Promise<string>,
) {
  const { start, cookie } = await startFlow(t, 'github');
  const value = cookie.slice(`${OAUTH_STATE_COOKIE}=`.length);
  const { kid } = decodeProtectedHeader(value);
  if (!kid) throw new Error('the state cookie carries no kid');
  const resigned = await sign(decodeJwt(value), kid);
  return deliverCallback(t, await consent(start), {
    headers: { cookie: `${OAUTH_STATE_COOKIE}=${resigned}` },
  });
}

describe('the OAuth state cookie', () => {
  it('is accepted when re-signed with the ring key under its own alg and kid (control)', async () => {
    const t = await setup();
    const ring = await t.deps.keys();

    const response = await callbackWithResignedCookie(t, (claims, kid) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: ring.current.alg, kid })
        .sign(ring.current.privateKey),
    );

    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();
  });

  it('is refused when its header names another alg than the key with that kid', async () => {
    const t = await setup();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

    // The ring's key is Ed25519 (EdDSA); the header claims ES256 under the same kid.
    const response = await callbackWithResignedCookie(t, (claims, kid) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey),
    );

    expect(response.status).toBe(400);
    expect((await readErrorEnvelope(response)).error.appCode).toBe('OAUTH_STATE_MISMATCH');
  });
});

describe('verificationKeyFor (the one key-ring lookup)', () => {
  it('gives the key only for a known kid whose alg matches the header', async () => {
    const t = await createTestApp();
    const ring = await t.deps.keys();
    const { kid, alg } = ring.current;

    expect(verificationKeyFor(ring, { kid, alg })).toBe(ring.current);
    expect(verificationKeyFor(ring, { kid, alg: 'ES256' })).toBeUndefined();
    expect(verificationKeyFor(ring, { kid, alg: 'HS256' })).toBeUndefined();
    expect(verificationKeyFor(ring, { kid: 'unknown', alg })).toBeUndefined();
    expect(verificationKeyFor(ring, { alg })).toBeUndefined();
  });
});
