import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_DEFAULTS } from '../../src/auth/rate-limit/rules';
import { createTestApp, readTrpcError, type TestApp } from '../harness';
import { newEmail } from '../support/accounts';
import { startTestSmtp } from '../support/smtp';

function requestFrom(t: TestApp, procedure: string, ip: string, email: string) {
  return t.fetch(`http://tollbooth.test/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ email }),
  });
}

const STRANGER = '203.0.113.1';
const OWNER = '198.51.100.7';

describe('mail budgets', () => {
  it.each(['auth.requestPasswordReset', 'auth.requestLoginCode', 'auth.requestMagicLink'])(
    '%s: a stranger who spends an address’s budget delays its owner by minutes, not an hour',
    async (procedure) => {
      // The shipped per-address rules; only the per-network limit is out of the way.
      const t = await createTestApp({
        env: { TRUST_PROXY_HOPS: '1', RATE_LIMITS: 'email.ip=10000/3600' },
      });
      const email = newEmail('owner');
      const budget = RATE_LIMIT_DEFAULTS['email.account'].points;
      for (let sent = 0; sent < budget; sent++) {
        expect((await requestFrom(t, procedure, STRANGER, email)).status).toBe(200);
      }

      const owner = await requestFrom(t, procedure, OWNER, email);

      expect(owner.status).toBe(429);
      const { error } = await readTrpcError(owner);
      expect(error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
      const retryAfter = Number(owner.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(10 * 60);
      expect(error.data.details).toEqual({ retryAfterSeconds: retryAfter });
    },
  );

  it('bounds mail-bombing: a daily cap per network, a short shared window per address', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({
      env: {
        SMTP_URL: smtp.url,
        TRUST_PROXY_HOPS: '1',
        RATE_LIMITS: 'email.ip=10000/3600,email.account=4/600,email.account.ip=2/86400',
      },
    });
    const victim = newEmail('victim');
    const bomb = (ip: string) => requestFrom(t, 'auth.requestLoginCode', ip, victim);

    const first: number[] = [];
    for (let i = 0; i < 12; i++) first.push((await bomb(STRANGER)).status);
    expect(first).toEqual([200, 200, ...new Array(10).fill(429)]);
    const capped = await bomb(STRANGER);
    expect(Number(capped.headers.get('retry-after'))).toBeGreaterThan(600);

    // The refused requests did not spend the shared budget: another network still has two.
    expect((await bomb('203.0.113.2')).status).toBe(200);
    expect((await bomb('2001:db8:bad:1::1')).status).toBe(200);
    // Then the address's window is full for everyone, briefly.
    const shared = await bomb('2001:db8:bad:2::1');
    expect(shared.status).toBe(429);
    expect(Number(shared.headers.get('retry-after'))).toBeLessThanOrEqual(600);

    await t.drainJobs();
    expect(smtp.to(victim)).toHaveLength(4);
  });
});
