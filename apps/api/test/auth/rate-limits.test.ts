import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { createTestApp, readTrpcError, type TestApp } from '../harness';
import { newEmail, PASSWORD, registerAccount } from '../support/accounts';

async function login(t: TestApp, email: string, password = 'wrong password') {
  return t.fetch('http://tollbooth.test/trpc/auth.login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

describe('rate limits', () => {
  it('hold across two API instances that share one database', async () => {
    const databaseUrl = await createTestDatabase();
    const env = { RATE_LIMITS: 'login.account=3/600' };
    const first = await createTestApp({ databaseUrl, env });
    const second = await createTestApp({ databaseUrl, env });
    const email = newEmail('target');

    expect((await login(first, email)).status).toBe(401);
    expect((await login(second, email)).status).toBe(401);
    expect((await login(first, email)).status).toBe(401);
    const limited = await login(second, email);

    expect(limited.status).toBe(429);
    const { error } = await readTrpcError(limited);
    expect(error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(error.data.details).toEqual({ retryAfterSeconds: retryAfter });
  });

  it('limit per account even when the right password finally comes (no guessing past it)', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'login.account=2/600' } });
    const { email } = await registerAccount(t);
    await login(t, email);
    await login(t, email);

    expect((await login(t, email, PASSWORD)).status).toBe(429);
    // Another account is unaffected.
    const other = await registerAccount(t);
    expect((await login(t, other.email, PASSWORD)).status).toBe(200);
  });

  it('do not count successful sign-ins against the account, only failed ones', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'login.account=2/600' } });
    const { email } = await registerAccount(t);

    for (let signIn = 1; signIn <= 4; signIn++) {
      expect((await login(t, email, PASSWORD)).status).toBe(200);
    }
    await login(t, email);
    await login(t, email);

    expect((await login(t, email, PASSWORD)).status).toBe(429);
  });

  it('limit per IP across accounts (behind a trusted proxy)', async () => {
    const t = await createTestApp({
      env: { RATE_LIMITS: 'login.ip=2/600', TRUST_PROXY_HOPS: '1' },
    });
    const from = (ip: string) => ({ 'x-forwarded-for': ip, 'content-type': 'application/json' });
    const attempt = (ip: string) =>
      t.fetch('http://tollbooth.test/trpc/auth.login', {
        method: 'POST',
        headers: from(ip),
        body: JSON.stringify({ email: newEmail(), password: 'whatever 1' }),
      });

    await attempt('203.0.113.9');
    await attempt('203.0.113.9');

    expect((await attempt('203.0.113.9')).status).toBe(429);
    expect((await attempt('198.51.100.7')).status).toBe(401);
  });

  it.each([
    ['auth.requestLoginCode', 'email.account=1/600'],
    ['auth.requestMagicLink', 'email.account=1/600'],
    ['auth.requestPasswordReset', 'email.account=1/600'],
  ])('%s is limited per address', async (procedure, limits) => {
    const t = await createTestApp({ env: { RATE_LIMITS: limits } });
    const email = newEmail();
    const send = () =>
      t.fetch(`http://tollbooth.test/trpc/${procedure}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });

    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(429);
  });

  it('limits code guesses per address across codes', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'code.account=2/600' } });
    const email = newEmail();
    const guess = () =>
      t.fetch('http://tollbooth.test/trpc/auth.loginWithCode', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, code: '000000' }),
      });

    expect((await guess()).status).toBe(400);
    expect((await guess()).status).toBe(400);
    expect((await guess()).status).toBe(429);
  });

  it.each([
    ['auth.register', 'register.ip=1/600', () => ({ email: newEmail(), password: PASSWORD })],
    ['auth.refresh', 'refresh.ip=1/600', () => ({ refreshToken: 'garbage' })],
    ['auth.verifyEmail', 'code.ip=1/600', () => ({ token: 'garbage' })],
  ])('%s is limited per IP', async (procedure, limits, input) => {
    const t = await createTestApp({ env: { RATE_LIMITS: limits } });
    const send = () =>
      t.fetch(`http://tollbooth.test/trpc/${procedure}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input()),
      });

    expect((await send()).status).not.toBe(429);
    expect((await send()).status).toBe(429);
  });

  it('records every limited call in the audit log', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'login.account=1/600' } });
    const email = newEmail();
    await login(t, email);
    await login(t, email);

    const events = await t.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('event_type', '=', 'auth.rate_limited')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.metadata).toMatchObject({ rule: 'login.account' });
  });
});
