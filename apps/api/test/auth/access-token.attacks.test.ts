import { generateKeyPairSync } from 'node:crypto';
import { base64url, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TTL_SECONDS } from '../../src/auth/tokens/access-tokens';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp, readTrpcError, type TestApp } from '../harness';
import { registerAccount } from '../support/accounts';
import { readJwks } from '../support/http';

async function meWith(t: TestApp, token: string) {
  const response = await t.fetch('http://tollbooth.test/trpc/auth.me', {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, error: (await readTrpcError(response)).error };
}

function decodePart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(part ?? '')));
}

function encodePart(value: Record<string, unknown>): string {
  return base64url.encode(JSON.stringify(value));
}

describe('access token verification', () => {
  it('carries sub, email, role and sid, signed with EdDSA under a kid', async () => {
    const t = await createTestApp();
    const { accessToken, user, sessionId } = await registerAccount(t);
    const [header, payload] = accessToken.split('.');

    expect(decodePart(header)).toMatchObject({ alg: 'EdDSA', kid: expect.any(String) });
    const claims = decodePart(payload);
    expect(claims).toMatchObject({ sub: user.id, email: user.email, role: 'user', sid: sessionId });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(ACCESS_TOKEN_TTL_SECONDS);
  });

  it('publishes the verifying key at /.well-known/jwks.json, without its private part', async () => {
    const t = await createTestApp();
    const { accessToken } = await registerAccount(t);

    const jwks = await readJwks(await t.fetch('http://tollbooth.test/.well-known/jwks.json'));

    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      use: 'sig',
      kid: decodePart(accessToken.split('.')[0]).kid,
    });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('rejects a token whose access period has passed (15 minutes)', async () => {
    const clock = createManualClock();
    const t = await createTestApp({ clock });
    const { accessToken } = await registerAccount(t);
    await t.client({ accessToken }).auth.me.query();

    clock.advance(ACCESS_TOKEN_TTL_SECONDS * 1000);

    expect(await meWith(t, accessToken)).toMatchObject({
      status: 401,
      error: { data: { appCode: 'UNAUTHENTICATED' } },
    });
  });

  describe('forged tokens', () => {
    it.each([
      [
        'alg: none',
        (token: string) => {
          const [, payload] = token.split('.');
          return `${encodePart({ alg: 'none', typ: 'JWT' })}.${payload}.`;
        },
      ],
      [
        'a changed payload (bad signature)',
        (token: string) => {
          const [header, payload, signature] = token.split('.');
          const claims = decodePart(payload);
          return `${header}.${encodePart({ ...claims, role: 'admin' })}.${signature}`;
        },
      ],
      ['a truncated signature', (token: string) => token.slice(0, -4)],
    ])('rejects %s', async (_name, forge) => {
      const t = await createTestApp();
      const { accessToken } = await registerAccount(t);

      expect((await meWith(t, forge(accessToken))).status).toBe(401);
    });

    it('rejects HS256 signed with the public key as the secret (algorithm confusion)', async () => {
      const t = await createTestApp();
      const { accessToken } = await registerAccount(t);
      const jwks = await readJwks(await t.fetch('http://tollbooth.test/.well-known/jwks.json'));
      const claims = decodePart(accessToken.split('.')[1]);

      const forged = await new SignJWT({ ...claims, role: 'admin' })
        .setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0]?.kid ?? '' })
        .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0])));

      expect((await meWith(t, forged)).status).toBe(401);
    });

    it('rejects a well-formed token signed by a key we do not know', async () => {
      const t = await createTestApp();
      const { accessToken } = await registerAccount(t);
      const claims = decodePart(accessToken.split('.')[1]);
      const { privateKey } = generateKeyPairSync('ed25519');

      for (const kid of ['someone-else', String(decodePart(accessToken.split('.')[0]).kid)]) {
        const forged = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'EdDSA', kid })
          .sign(privateKey);
        expect((await meWith(t, forged)).status).toBe(401);
      }
    });

    it('rejects a token without the Bearer scheme, and garbage', async () => {
      const t = await createTestApp();
      const { accessToken } = await registerAccount(t);

      const raw = await t.fetch('http://tollbooth.test/trpc/auth.me', {
        headers: { authorization: accessToken },
      });
      expect(raw.status).toBe(401);
      expect((await meWith(t, 'not.a.jwt')).status).toBe(401);
    });
  });
});
