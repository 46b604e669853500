import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, readTrpcError, type TestApp } from '../harness';
import { newEmail } from '../support/accounts';

/** A login for a fresh address, as if from `ip` (the one trusted proxy wrote it). */
function loginFrom(t: TestApp, ip: string) {
  return t.fetch('http://tollbooth.test/trpc/auth.login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ email: newEmail(), password: 'wrong password' }),
  });
}

const ZBatchResults = z.array(
  z.object({ error: z.object({ data: z.object({ appCode: z.string() }) }).optional() }),
);

const BEHIND_ONE_PROXY = { TRUST_PROXY_HOPS: '1' };

describe('per-IP limits count client networks', () => {
  it('stop 60 logins for 60 addresses from 60 addresses of one IPv6 /64 at the per-IP limit', async () => {
    const t = await createTestApp({ env: { ...BEHIND_ONE_PROXY, RATE_LIMITS: 'login.ip=50/900' } });
    const statuses: number[] = [];
    for (let i = 1; i <= 60; i++) {
      // Every form a client may show: compressed, full with leading zeros, bracketed with port.
      const host = i.toString(16);
      const ip = [
        `2001:db8:1:2::${host}`,
        `2001:0db8:0001:0002:0000:0000:0000:${host.padStart(4, '0')}`,
        `[2001:db8:1:2:${host}::1]:443`,
      ][i % 3];
      statuses.push((await loginFrom(t, ip ?? '')).status);
    }

    expect(statuses.slice(0, 50)).toEqual(new Array(50).fill(401));
    expect(statuses.slice(50)).toEqual(new Array(10).fill(429));
    const limited = await loginFrom(t, '2001:db8:1:2::beef');
    const { error } = await readTrpcError(limited);
    expect(error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
    // The neighbouring /64 is another client.
    expect((await loginFrom(t, '2001:db8:1:3::1')).status).toBe(401);
  });

  it('count an IPv4 client the same whether it arrives as IPv4 or IPv4-mapped IPv6', async () => {
    const t = await createTestApp({ env: { ...BEHIND_ONE_PROXY, RATE_LIMITS: 'login.ip=2/900' } });

    expect((await loginFrom(t, '203.0.113.9')).status).toBe(401);
    expect((await loginFrom(t, '::ffff:203.0.113.9')).status).toBe(401);

    expect((await loginFrom(t, '203.0.113.9')).status).toBe(429);
    expect((await loginFrom(t, '::ffff:cb00:7109')).status).toBe(429);
    expect((await loginFrom(t, '203.0.113.10')).status).toBe(401);
  });

  it('charge a tRPC batch of N logins N points, not one', async () => {
    const t = await createTestApp({ env: { ...BEHIND_ONE_PROXY, RATE_LIMITS: 'login.ip=3/900' } });
    const batchOf = (n: number) => {
      const inputs = Object.fromEntries(
        Array.from({ length: n }, (_, i) => [i, { email: newEmail(), password: 'wrong password' }]),
      );
      return t.fetch(
        `http://tollbooth.test/trpc/${new Array(n).fill('auth.login').join(',')}?batch=1`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
          body: JSON.stringify(inputs),
        },
      );
    };

    const response = await batchOf(5);
    const results = ZBatchResults.parse(await response.json());

    const codes = results.map((result) => result.error?.data.appCode).sort();
    expect(codes).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    // The batch used the window up: a single login after it is refused too.
    expect((await loginFrom(t, '198.51.100.7')).status).toBe(429);
  });
});
