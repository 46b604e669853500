import { describe, expect, it } from 'vitest';
import { createTestApp, readTrpcError, type TestApp } from '../harness';
import { PASSWORD, registerAccount } from '../support/accounts';

const WRONG = 'not the password';

/** Behind one trusted proxy, so each call can come from its own client network. */
function lockoutApp(limits: string) {
  return createTestApp({ env: { TRUST_PROXY_HOPS: '1', RATE_LIMITS: limits } });
}

function loginFrom(t: TestApp, ip: string, email: string, password: string) {
  return t.fetch('http://tollbooth.test/trpc/auth.login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ email, password }),
  });
}

const STRANGER = ['203.0.113.1', '203.0.113.2', '2001:db8:bad:1::1'];
const OWNER = '198.51.100.7';

describe('login lock-out by strangers', () => {
  it("lets the owner's correct password in after a stranger spent the account's failures", async () => {
    const t = await lockoutApp('login.account=3/900,login.account.ip=2/3600');
    const { email } = await registerAccount(t);
    for (const ip of STRANGER) expect((await loginFrom(t, ip, email, WRONG)).status).toBe(401);

    // The account is under attack: networks that failed on it are refused before the check.
    expect((await loginFrom(t, STRANGER[0] ?? '', email, WRONG)).status).toBe(429);

    expect((await loginFrom(t, OWNER, email, PASSWORD)).status).toBe(200);
    expect((await loginFrom(t, OWNER, email, PASSWORD)).status).toBe(200);
    // The owner's success forgives nobody.
    for (const ip of STRANGER) expect((await loginFrom(t, ip, email, WRONG)).status).toBe(429);
  });

  it('gives a network that never failed on an attacked account one guess, then refuses it', async () => {
    const t = await lockoutApp('login.account=3/900,login.account.ip=2/3600');
    const { email } = await registerAccount(t);
    for (const ip of STRANGER) await loginFrom(t, ip, email, WRONG);

    expect((await loginFrom(t, '203.0.113.50', email, WRONG)).status).toBe(401);
    const refused = await loginFrom(t, '203.0.113.50', email, WRONG);

    expect(refused.status).toBe(429);
    const { error } = await readTrpcError(refused);
    expect(error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
    // Lifted when the account's 15-minute window ends, if not before.
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(900);
  });

  it('locks the guessing network out of the account, even when it finally sends the password', async () => {
    const t = await lockoutApp('login.account=100/900,login.account.ip=2/3600');
    const { email } = await registerAccount(t);
    const guesser = STRANGER[2] ?? '';
    expect((await loginFrom(t, guesser, email, WRONG)).status).toBe(401);
    expect((await loginFrom(t, guesser, email, WRONG)).status).toBe(401);

    const late = await loginFrom(t, guesser, email, PASSWORD);

    expect(late.status).toBe(429);
    // Another address of the same /64 is the same network.
    expect((await loginFrom(t, '2001:db8:bad:1::2', email, PASSWORD)).status).toBe(429);
    const retryAfter = Number(late.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(900);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Its lock-out is on this account only, and the owner elsewhere is not touched by it.
    const other = await registerAccount(t);
    expect((await loginFrom(t, guesser, other.email, other.password)).status).toBe(200);
    expect((await loginFrom(t, OWNER, email, PASSWORD)).status).toBe(200);
  });

  it('answers only as many parallel wrong guesses from one network as its budget allows', async () => {
    const t = await lockoutApp('login.account=100/900,login.account.ip=2/3600');
    const { email } = await registerAccount(t);

    const statuses = await Promise.all(
      Array.from({ length: 8 }, () => loginFrom(t, STRANGER[0] ?? '', email, WRONG)),
    ).then((responses) => responses.map((response) => response.status).sort());

    expect(statuses).toEqual([401, 401, 429, 429, 429, 429, 429, 429]);
  });

  it('still counts every attempt per network, across accounts', async () => {
    const t = await lockoutApp('login.ip=2/900');
    const { email } = await registerAccount(t);
    expect((await loginFrom(t, OWNER, email, PASSWORD)).status).toBe(200);
    expect((await loginFrom(t, OWNER, email, PASSWORD)).status).toBe(200);

    expect((await loginFrom(t, OWNER, email, PASSWORD)).status).toBe(429);
  });
});
