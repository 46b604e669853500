import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { createKey, keyClient } from '../credits/credits-testing';
import { failure, registerAccount } from '../support/accounts';
import { grant, setFreePlan, usageApp } from './usage-testing';

/** A user (signed in, with their own token) with usage on two days and two operations. */
async function userWithUsage() {
  const clock = createManualClock(new Date('2026-02-03T23:58:00Z'));
  const app = await usageApp({ clock });
  const { t, admin, server } = app;
  const account = await registerAccount(t);
  const userId = account.user.id;
  await setFreePlan(t, 2, 'credits');
  await grant(admin, userId, 100);
  await server.usage.record.mutate({
    operation: 'strategic_analysis',
    userId,
    idempotencyKey: 'd1-a',
  });
  await server.usage.record.mutate({
    operation: 'market_research',
    userId,
    idempotencyKey: 'd1-b',
  });
  // Two minutes later (the user's access token is still fresh), on the next UTC day.
  clock.set(new Date('2026-02-04T00:00:00Z'));
  await server.usage.record.mutate({
    operation: 'strategic_analysis',
    quantity: 2,
    userId,
    idempotencyKey: 'd2-a',
  });
  const own = t.client({ accessToken: account.accessToken });
  return { ...app, userId, own };
}

describe('usage reads', () => {
  it('usage.list pages newest first with a cursor and filters by operation and time', async () => {
    const { own } = await userWithUsage();

    const first = await own.usage.list.query({ limit: 2 });
    const second = await own.usage.list.query({ limit: 2, cursor: first.nextCursor ?? undefined });
    const strategic = await own.usage.list.query({ operation: 'strategic_analysis' });
    const dayOne = await own.usage.list.query({ to: '2026-02-04T00:00:00Z' });

    expect(first.items.map((r) => r.idempotencyKey)).toEqual(['d2-a', 'd1-b']);
    expect(second).toEqual({
      items: [expect.objectContaining({ idempotencyKey: 'd1-a' })],
      nextCursor: null,
    });
    expect(strategic.items.map((r) => r.idempotencyKey)).toEqual(['d2-a', 'd1-a']);
    expect(dayOne.items.map((r) => r.idempotencyKey)).toEqual(['d1-b', 'd1-a']);
  });

  it("usage.get returns one of the user's records, and NOT_FOUND for someone else's", async () => {
    const { t, own, userId, server } = await userWithUsage();
    const [record] = (await own.usage.list.query({ limit: 1 })).items;
    if (!record) throw new Error('no record');
    const stranger = await registerAccount(t);

    expect(await own.usage.get.query({ id: record.id })).toEqual(record);
    expect(await server.usage.get.query({ id: record.id, userId })).toEqual(record);
    expect(
      await failure(
        t.client({ accessToken: stranger.accessToken }).usage.get.query({ id: record.id }),
      ),
    ).toMatchObject({ httpStatus: 404, appCode: 'USAGE_NOT_FOUND' });
  });

  it('usage.stats sums per UTC day and per operation: records, quantity, included, credits spent', async () => {
    // Credits mode: nothing goes on the invoice (usage.overage-invoice.test.ts sums overage).
    const noOverage = { overageQuantity: 0, overageCents: 0 };
    const { own } = await userWithUsage();
    const window = { from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z' };

    const byDay = await own.usage.stats.query({ ...window, groupBy: 'day' });
    const byOperation = await own.usage.stats.query({ ...window, groupBy: 'operation' });

    // Two included on day one; on day two 2 × strategic_analysis at 10 credits, none included.
    expect(byDay.groups).toEqual([
      {
        key: '2026-02-03',
        records: 2,
        quantity: 2,
        includedQuantity: 2,
        creditsSpent: 0,
        ...noOverage,
      },
      {
        key: '2026-02-04',
        records: 1,
        quantity: 2,
        includedQuantity: 0,
        creditsSpent: 20,
        ...noOverage,
      },
    ]);
    expect(byOperation.groups).toEqual([
      {
        key: 'market_research',
        records: 1,
        quantity: 1,
        includedQuantity: 1,
        creditsSpent: 0,
        ...noOverage,
      },
      {
        key: 'strategic_analysis',
        records: 2,
        quantity: 3,
        includedQuantity: 1,
        creditsSpent: 20,
        ...noOverage,
      },
    ]);
    expect(byDay.totals).toEqual({
      records: 3,
      quantity: 4,
      includedQuantity: 2,
      creditsSpent: 20,
      ...noOverage,
    });
  });

  it('a key reads with usage:write or billing:read naming the user, not with credits:read alone', async () => {
    const { t, admin, userId } = await userWithUsage();
    const billing = await createKey(admin, ['billing:read']);
    const credits = await createKey(admin, ['credits:read']);

    const stats = await keyClient(t, billing.key).usage.stats.query({
      userId,
      from: '2026-02-01T00:00:00Z',
      to: '2026-03-01T00:00:00Z',
      groupBy: 'operation',
    });
    const refused = await failure(keyClient(t, credits.key).usage.list.query({ userId }));
    const unnamed = await failure(keyClient(t, billing.key).usage.list.query({}));

    expect(stats.totals.records).toBe(3);
    expect(refused).toMatchObject({ httpStatus: 403, appCode: 'INSUFFICIENT_SCOPE' });
    expect(unnamed).toMatchObject({ appCode: 'VALIDATION_FAILED' });
  });

  it('usage.stats refuses a window that ends before it starts, with a field message', async () => {
    const { own } = await userWithUsage();

    const refused = await failure(
      own.usage.stats.query({
        from: '2026-02-02T00:00:00Z',
        to: '2026-02-01T00:00:00Z',
        groupBy: 'day',
      }),
    );

    expect(refused).toMatchObject({
      httpStatus: 400,
      data: { fieldErrors: { to: [expect.any(String)] } },
    });
  });

  it.each([
    ['from', { from: "' OR 1=1 --", to: '2026-02-01T00:00:00Z' }],
    ['to', { from: '2026-02-01T00:00:00Z', to: 'tomorrow' }],
  ])(
    'usage.stats answers a malformed %s with VALIDATION_FAILED, not a 500',
    async (field, window) => {
      const { own } = await userWithUsage();

      const refused = await failure(own.usage.stats.query({ ...window, groupBy: 'day' }));

      expect(refused).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED' });
      expect(Object.keys(refused.data.fieldErrors ?? {})).toEqual([field]);
    },
  );
});

describe('operation types', () => {
  it('usage.operationTypes lists the seeded active types; admins edit them; a deactivated one is hidden and refused', async () => {
    const { t, admin, userId, server, adminAccount } = await usageApp();
    const user = await registerAccount(t);
    const own = t.client({ accessToken: user.accessToken });

    const seeded = await own.usage.operationTypes.query();
    const updated = await admin.admin.usage.operationTypes.update.mutate({
      code: 'market_research',
      unitCostCredits: 3,
      active: false,
    });
    const notAdmin = await failure(
      own.admin.usage.operationTypes.create.mutate({ code: 'x', name: 'X', unitCostCredits: 1 }),
    );
    const after = await server.usage.operationTypes.query();
    const refused = await failure(
      server.usage.record.mutate({ operation: 'market_research', userId, idempotencyKey: 'gone' }),
    );

    expect(seeded.map((type) => [type.code, type.unitCostCredits])).toEqual([
      ['competitive_analysis', 8],
      ['market_research', 8],
      ['strategic_analysis', 10],
      ['workflow_generation', 5],
    ]);
    expect(updated).toMatchObject({ code: 'market_research', unitCostCredits: 3, active: false });
    expect(notAdmin).toMatchObject({ httpStatus: 403, appCode: 'FORBIDDEN' });
    expect(after.map((type) => type.code)).not.toContain('market_research');
    expect(refused).toMatchObject({ appCode: 'OPERATION_TYPE_NOT_FOUND' });
    expect(adminAccount.user.id).not.toBe(userId);
  });
});
