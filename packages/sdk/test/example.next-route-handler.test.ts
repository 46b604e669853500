/**
 * The README's Next.js route handler (examples/next-app), run as Next.js would run it: its
 * module reads the server key from the environment, and POST gets a Request and answers a
 * Response, against a real listening Tollbooth over HTTP with the global fetch.
 */
import { randomUUID } from 'node:crypto';
import { listen } from '@tollbooth/api';
import { createTestApp } from '@tollbooth/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: Awaited<ReturnType<typeof createTestApp>>;
let POST: (request: Request) => Promise<Response>;
let admin: ReturnType<typeof t.client>;

async function register() {
  const result = await t.client().auth.register.mutate({
    email: `next-${randomUUID().slice(0, 8)}@example.test`,
    password: 'correct horse battery staple',
  });
  if (result.verificationRequired) throw new Error('expected REGISTRATION_MODE=open');
  return result;
}

function analysis(accessToken: string | null, analysisId: string) {
  return POST(
    new Request('https://app.example.test/api/analyses', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(accessToken && { authorization: `Bearer ${accessToken}` }),
      },
      body: JSON.stringify({ analysisId }),
    }),
  );
}

async function setFreePlan(included: number, overageMode: 'credits' | 'refuse') {
  await t.deps.db
    .updateTable('plans')
    .set({ included_operations: included, overage_mode: overageMode })
    .where('code', '=', 'free')
    .execute();
}

beforeAll(async () => {
  t = await createTestApp();
  const server = await listen(t.app, { port: 0, host: '127.0.0.1' });
  afterAll(() => server.close(1_000));
  const adminAccount = await register();
  await t.deps.db
    .updateTable('users')
    .set({ role: 'admin' })
    .where('id', '=', adminAccount.user.id)
    .execute();
  admin = t.client({ accessToken: adminAccount.accessToken });
  await admin.admin.usage.operationTypes.create.mutate({
    code: 'strategic_analysis',
    name: 'Strategic Analysis',
    unitCostCredits: 10,
  });
  const { key } = await admin.admin.apiKeys.create.mutate({
    name: 'next.js',
    scopes: ['usage:write'],
  });
  process.env.TOLLBOOTH_URL = server.url;
  process.env.TOLLBOOTH_API_KEY = key;
  ({ POST } = await import('../examples/next-app/app/api/analyses/route'));
});

describe("the README's Next.js route handler", () => {
  it('meters an analysis once per analysis id and answers what is left', async () => {
    await setFreePlan(5, 'refuse');
    const user = await register();

    const first = await analysis(user.accessToken, 'a-1');
    const retried = await analysis(user.accessToken, 'a-1');
    const second = await analysis(user.accessToken, 'a-2');

    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      analysisId: 'a-1',
      outcome: 'included',
      remaining: { included: 4, creditBalance: 0 },
    });
    expect(await retried.json()).toMatchObject({ remaining: { included: 4 } });
    expect(await second.json()).toMatchObject({ remaining: { included: 3 } });
  });

  it('answers 402 with the reason when the quota is used up, or the credits are', async () => {
    const user = await register();

    await setFreePlan(0, 'refuse');
    const quota = await analysis(user.accessToken, 'q-1');
    await setFreePlan(0, 'credits');
    const credits = await analysis(user.accessToken, 'q-2');

    expect(quota.status).toBe(402);
    expect(await quota.json()).toMatchObject({
      reason: 'QUOTA_EXCEEDED',
      details: { plan: 'free', included: 0 },
    });
    expect(credits.status).toBe(402);
    expect(await credits.json()).toMatchObject({
      reason: 'INSUFFICIENT_CREDITS',
      details: { balance: 0, requested: 10 },
    });
  });

  it('answers 401 without a valid access token, metering nothing', async () => {
    await setFreePlan(5, 'refuse');

    const anonymous = await analysis(null, 'n-1');
    const forged = await analysis('not-a-token', 'n-2');

    expect(anonymous.status).toBe(401);
    expect(forged.status).toBe(401);
    const records = await t.deps.db
      .selectFrom('usage_records')
      .select('idempotency_key')
      .where('idempotency_key', 'in', ['analysis:n-1', 'analysis:n-2'])
      .execute();
    expect(records).toEqual([]);
  });
});
