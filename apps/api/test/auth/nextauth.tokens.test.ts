import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp, type TestApp } from '../harness';
import { newEmail, registerAccount } from '../support/accounts';
import { readTrpcBody } from '../support/http';
import { encodeV4, encodeV5 } from '../support/nextauth-mint';

const SECRET = randomBytes(32).toString('base64');
const OTHER_SECRET = randomBytes(32).toString('base64url');
const THIRTY_ONE_DAYS_MS = 31 * 24 * 60 * 60 * 1000;

async function setup(env: Record<string, string> = { NEXTAUTH_SECRET: SECRET }) {
  // NextAuth stamps tokens with the real time; the app's clock starts there.
  const clock = createManualClock(new Date());
  return createTestApp({ clock, env });
}

async function me(t: TestApp, token: string) {
  const response = await t.fetch('http://tollbooth.test/trpc/auth.me', {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await readTrpcBody(response);
  return { status: response.status, user: body.result?.data };
}

const mintV4 = (email: string, secret = SECRET) =>
  encodeV4({ token: { email, name: 'Next User', sub: 'nextauth-sub' }, secret });
const mintV5 = (email: string, secret = SECRET, salt = 'authjs.session-token') =>
  encodeV5({ token: { email, name: 'Auth User', sub: 'authjs-sub' }, secret, salt });

describe('NextAuth.js / Auth.js session tokens as bearer tokens', () => {
  it.each([
    ['v4 (next-auth/jwt)', (email: string) => mintV4(email)],
    ['v5 (@auth/core/jwt)', (email: string) => mintV5(email)],
    ['v5 secure cookie', (email: string) => mintV5(email, SECRET, '__Secure-authjs.session-token')],
  ])(
    'accepts a %s token and creates the account on first sight (unverified: the token does not say)',
    async (_name, mint) => {
      const t = await setup();
      const email = newEmail('next');
      const token = await mint(email);

      const first = await me(t, token);
      const again = await me(t, token);

      expect(first.status).toBe(200);
      expect(first.user).toMatchObject({ email, emailVerified: false });
      expect(again.user?.id).toBe(first.user?.id);
    },
  );

  it('maps a token whose email is verified to the existing account with that email', async () => {
    const t = await setup();
    const account = await registerAccount(t);
    const token = await encodeV5({
      token: { email: account.email.toUpperCase(), email_verified: true },
      secret: SECRET,
      salt: 'authjs.session-token',
    });

    const { user } = await me(t, token);

    expect(user?.id).toBe(account.user.id);
  });

  it('accepts AUTH_SECRET (the v5 name) as well', async () => {
    const t = await setup({ AUTH_SECRET: SECRET });

    expect((await me(t, await mintV5(newEmail()))).status).toBe(200);
  });

  it.each([
    ['v4', (email: string) => mintV4(email)],
    ['v5', (email: string) => mintV5(email)],
  ])('rejects a tampered %s token', async (_name, mint) => {
    const t = await setup();
    const token = await mint(newEmail());
    const parts = token.split('.');
    const ciphertext = parts[3] ?? '';
    parts[3] = `${ciphertext.slice(0, 10)}${ciphertext[10] === 'A' ? 'B' : 'A'}${ciphertext.slice(11)}`;

    expect((await me(t, parts.join('.'))).status).toBe(401);
  });

  it.each([
    ['v4', (email: string) => mintV4(email, OTHER_SECRET)],
    ['v5', (email: string) => mintV5(email, OTHER_SECRET)],
  ])('rejects a %s token made with another secret', async (_name, mint) => {
    const t = await setup();

    expect((await me(t, await mint(newEmail()))).status).toBe(401);
  });

  it.each([
    ['v4', (email: string) => mintV4(email)],
    ['v5', (email: string) => mintV5(email)],
  ])('rejects an expired %s token (30-day default lifetime)', async (_name, mint) => {
    const clock = createManualClock(new Date());
    const t = await createTestApp({ clock, env: { NEXTAUTH_SECRET: SECRET } });
    const token = await mint(newEmail());
    expect((await me(t, token)).status).toBe(200);

    clock.advance(THIRTY_ONE_DAYS_MS);

    expect((await me(t, token)).status).toBe(401);
  });

  it('ignores NextAuth tokens when no secret is configured', async () => {
    const t = await setup({});

    expect((await me(t, await mintV5(newEmail()))).status).toBe(401);
  });

  it('still accepts Tollbooth access tokens next to NextAuth tokens', async () => {
    const t = await setup();
    const account = await registerAccount(t);

    expect((await me(t, account.accessToken)).status).toBe(200);
  });
});
