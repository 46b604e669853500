import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { createKey, keyClient, ledgerState } from '../credits/credits-testing';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';
import { grant, setFreePlan, usageApp } from './usage-testing';

// strategic_analysis costs 10 credits a unit (the default operation types).
const op = { operation: 'strategic_analysis' } as const;

describe('usage.record: who may record', () => {
  it('refuses a key without usage:write (403 INSUFFICIENT_SCOPE) and records nothing', async () => {
    const { t, admin, userId } = await usageApp();
    const creditsKey = await createKey(admin, ['credits:read', 'credits:write', 'billing:read']);

    const refused = await failure(
      keyClient(t, creditsKey.key).usage.record.mutate({ ...op, userId, idempotencyKey: 'k1' }),
    );

    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
      appCode: 'INSUFFICIENT_SCOPE',
      data: { details: { requiredScope: 'usage:write' } },
    });
    expect(await t.deps.db.selectFrom('usage_records').selectAll().execute()).toEqual([]);
  });

  it("refuses a user's own token: only the product's backend meters usage", async () => {
    const { t } = await usageApp();
    const account = await registerAccount(t);
    const own = t.client({ batch: false, accessToken: account.accessToken });

    const refused = await failure(
      own.usage.record.mutate({ ...op, userId: account.user.id, idempotencyKey: 'self' }),
    );

    expect(refused).toMatchObject({ httpStatus: 403, appCode: 'API_KEY_REQUIRED' });
    expect(await t.deps.db.selectFrom('usage_records').selectAll().execute()).toEqual([]);
  });

  it('refuses a revoked key at once in another server process, recording nothing', async () => {
    const databaseUrl = await createTestDatabase();
    const { t, admin, userId, key } = await usageApp({ databaseUrl });
    const other = keyClient(await createTestApp({ databaseUrl }), key);
    await setFreePlan(t, 5, 'refuse');
    await other.usage.record.mutate({ ...op, userId, idempotencyKey: 'before' });
    const [listed] = await admin.admin.apiKeys.list.query();
    if (!listed) throw new Error('no key listed');

    await admin.admin.apiKeys.revoke.mutate({ id: listed.id });
    const refused = await failure(
      other.usage.record.mutate({ ...op, userId, idempotencyKey: 'after' }),
    );

    expect(refused).toMatchObject({ httpStatus: 401, appCode: 'API_KEY_REVOKED' });
    const keys = await t.deps.db.selectFrom('usage_records').select('idempotency_key').execute();
    expect(keys).toEqual([{ idempotency_key: 'before' }]);
  });

  it('refuses an unknown or inactive operation type with a field message', async () => {
    const { userId, server } = await usageApp();

    const refused = await failure(
      server.usage.record.mutate({ operation: 'teleportation', userId, idempotencyKey: 'k' }),
    );

    expect(refused).toMatchObject({
      httpStatus: 404,
      appCode: 'OPERATION_TYPE_NOT_FOUND',
      data: { fieldErrors: { operation: [expect.any(String)] } },
    });
  });
});

describe('usage.record: included operations first, then the plan overage mode', () => {
  it('counts included operations, then debits credits at the unit cost, then refuses when credits run out', async () => {
    const { t, admin, userId, server } = await usageApp();
    await setFreePlan(t, 2, 'credits');
    await grant(admin, userId, 15);

    const first = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'u1' });
    const second = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'u2' });
    const paid = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'u3' });
    const short = await failure(
      server.usage.record.mutate({ ...op, userId, idempotencyKey: 'u4' }),
    );

    expect(first).toMatchObject({
      outcome: 'included',
      remaining: { included: 1, creditBalance: 15 },
    });
    expect(second).toMatchObject({
      outcome: 'included',
      remaining: { included: 0, creditBalance: 15 },
    });
    expect(paid).toMatchObject({
      outcome: 'credits',
      record: { quantity: 1, includedQuantity: 0, creditsSpent: 10 },
      remaining: { included: 0, creditBalance: 5 },
    });
    expect(short).toMatchObject({
      httpStatus: 402,
      appCode: 'INSUFFICIENT_CREDITS',
      data: { details: { balance: 5, requested: 10 } },
    });
    const usageEntry = await t.deps.db
      .selectFrom('credit_ledger')
      .selectAll()
      .where('idempotency_key', '=', 'u3')
      .executeTakeFirstOrThrow();
    expect(usageEntry).toMatchObject({ kind: 'usage', delta: -10, balance_after: 5 });
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 5, ledgerSum: 5 });
    expect(
      await t.deps.db.selectFrom('usage_records').select('idempotency_key').execute(),
    ).toHaveLength(3);
  });

  it('splits a quantity over the boundary: the rest of the allowance, then credits for the remainder', async () => {
    const { t, admin, userId, server } = await usageApp();
    await setFreePlan(t, 1, 'credits');
    await grant(admin, userId, 100);

    const result = await server.usage.record.mutate({
      ...op,
      quantity: 3,
      userId,
      idempotencyKey: 'q3',
    });

    expect(result).toMatchObject({
      outcome: 'credits',
      record: { quantity: 3, includedQuantity: 1, creditsSpent: 20 },
      remaining: { included: 0, creditBalance: 80 },
    });
  });

  it('on a plan set to refuse: PAYMENT_REQUIRED / QUOTA_EXCEEDED beyond the allowance, credits untouched', async () => {
    const { t, admin, userId, server } = await usageApp();
    await setFreePlan(t, 1, 'refuse');
    await grant(admin, userId, 100);

    const included = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'r1' });
    const refused = await failure(
      server.usage.record.mutate({ ...op, userId, idempotencyKey: 'r2' }),
    );

    expect(included).toMatchObject({ outcome: 'included', remaining: { included: 0 } });
    expect(refused).toMatchObject({
      code: 'PAYMENT_REQUIRED',
      httpStatus: 402,
      appCode: 'QUOTA_EXCEEDED',
      data: { details: { included: 1, used: 1, plan: 'free' } },
    });
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 100 });
    expect(await t.deps.db.selectFrom('usage_records').selectAll().execute()).toHaveLength(1);
  });

  it('on the invoice mode with no subscription to invoice (the free plan set so in the database): a clear error, nothing recorded', async () => {
    const { t, admin, userId, server } = await usageApp();
    await setFreePlan(t, 0, 'invoice');
    await grant(admin, userId, 100);

    const refused = await failure(
      server.usage.record.mutate({ ...op, userId, idempotencyKey: 'i1' }),
    );

    expect(refused).toMatchObject({ httpStatus: 412, appCode: 'OVERAGE_INVOICE_UNAVAILABLE' });
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 100 });
    expect(await t.deps.db.selectFrom('usage_records').selectAll().execute()).toEqual([]);
  });
});
