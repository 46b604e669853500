import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { seedOperationTypes } from '../../src/usage/operation-types';
import { createKey, grant, keyClient } from '../credits/credits-testing';
import { createTestApp } from '../harness';
import { registerAccount } from '../support/accounts';
import { setFreePlan } from '../usage/usage-testing';
import { signInAdmin } from './billing-testing';
import { createJourneyApp, JOURNEY_START, signUpCustomer, subscribe } from './journey-testing';

const DAY_SECONDS = 86_400;
const op = { operation: 'workflow_generation' } as const;

describe('billing.access: remaining quota', () => {
  it('on the free plan, shows the month’s included operations, and what is left drops with each usage.record', async () => {
    const t = await createTestApp({ clock: createManualClock(new Date('2026-07-14T09:00:00Z')) });
    await seedOperationTypes(t.deps.db);
    await setFreePlan(t, 3, 'credits');
    const user = await registerAccount(t);
    const userId = user.user.id;
    const { client: admin } = await signInAdmin(t);
    await grant(admin, userId, 50);
    const server = keyClient(t, (await createKey(admin, ['usage:write'])).key);
    const access = () => t.client({ accessToken: user.accessToken }).billing.access.query();
    const july = { start: '2026-07-01T00:00:00.000Z', end: '2026-08-01T00:00:00.000Z' };

    expect((await access()).quota).toEqual({ included: 3, used: 0, remaining: 3, period: july });

    await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'q1' });
    expect((await access()).quota).toEqual({ included: 3, used: 1, remaining: 2, period: july });

    // Two left, three asked: two included, one paid with credits; nothing is left.
    await server.usage.record.mutate({ ...op, userId, quantity: 3, idempotencyKey: 'q2' });
    expect((await access()).quota).toEqual({ included: 3, used: 3, remaining: 0, period: july });

    await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'q3' });
    expect((await access()).quota).toMatchObject({ used: 3, remaining: 0 });
    // The access fields themselves are unchanged by usage.
    expect(await access()).toMatchObject({
      level: 'free',
      plan: { code: 'free' },
      includedOperations: 3,
    });
  });

  it("for a subscriber, counts in the subscription's period and starts over when it renews", async () => {
    const j = await createJourneyApp({ webhooks: true });
    await seedOperationTypes(j.t.deps.db);
    const { account, client } = await signUpCustomer(j.t);
    await subscribe(client, 'starter');
    await j.settle();
    const { client: admin } = await signInAdmin(j.t);
    const server = keyClient(j.t, (await createKey(admin, ['usage:write'])).key);
    const userId = account.user.id;

    await server.usage.record.mutate({ ...op, userId, quantity: 5, idempotencyKey: 'r1' });
    expect((await client.billing.access.query()).quota).toEqual({
      included: 100,
      used: 5,
      remaining: 95,
      period: { start: JOURNEY_START.toISOString(), end: '2026-04-01T12:00:00.000Z' },
    });

    await j.advance(32 * DAY_SECONDS);

    expect((await client.billing.access.query()).quota).toEqual({
      included: 100,
      used: 0,
      remaining: 100,
      period: { start: '2026-04-01T12:00:00.000Z', end: '2026-05-01T12:00:00.000Z' },
    });
  });
});
