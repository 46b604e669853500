import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { keyClient, ledgerState } from '../credits/credits-testing';
import { createTestApp } from '../harness';
import { failure } from '../support/accounts';
import { grant, setFreePlan, usageApp } from './usage-testing';

const op = { operation: 'market_research' } as const; // 8 credits a unit

describe('usage.record: exactly once per idempotency key', () => {
  it('answers a replay with the first answer (what was left then) and counts nothing twice', async () => {
    const { t, admin, userId, server } = await usageApp();
    await setFreePlan(t, 1, 'credits');
    await grant(admin, userId, 100);

    const first = await server.usage.record.mutate({
      ...op,
      userId,
      idempotencyKey: 'job-1',
      metadata: { doc: 'a' },
    });
    await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'job-2' });
    const replay = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'job-1' });

    expect(first).toMatchObject({
      outcome: 'included',
      remaining: { included: 0, creditBalance: 100 },
    });
    expect(replay).toEqual(first);
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 92, ledgerSum: 92 });
    const counter = await t.deps.db
      .selectFrom('usage_counters')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(counter).toMatchObject({ included: 1, used: 1 });
  });

  it('refuses the same key for another operation, quantity or user: CONFLICT / IDEMPOTENCY_KEY_REUSED', async () => {
    const { t, admin, userId, server } = await usageApp();
    await grant(admin, userId, 100);
    const other = await t.deps.db
      .insertInto('users')
      .values({ email: `other-${Date.now()}@example.com` })
      .returning('id')
      .executeTakeFirstOrThrow();
    await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'k' });

    const attempts = await Promise.all([
      failure(
        server.usage.record.mutate({
          operation: 'strategic_analysis',
          userId,
          idempotencyKey: 'k',
        }),
      ),
      failure(server.usage.record.mutate({ ...op, quantity: 2, userId, idempotencyKey: 'k' })),
      failure(server.usage.record.mutate({ ...op, userId: other.id, idempotencyKey: 'k' })),
    ]);

    for (const attempt of attempts) {
      expect(attempt).toMatchObject({
        code: 'CONFLICT',
        httpStatus: 409,
        appCode: 'IDEMPOTENCY_KEY_REUSED',
        data: { fieldErrors: { idempotencyKey: [expect.any(String)] } },
      });
    }
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 92 });
  });

  it('shares the key space with the credit ledger: a key a credits.debit used is refused', async () => {
    const { t, admin, userId, server } = await usageApp({
      scopes: ['usage:write', 'credits:write'],
    });
    await setFreePlan(t, 5, 'credits');
    await grant(admin, userId, 100);
    await server.credits.debit.mutate({ userId, amount: 1, idempotencyKey: 'shared' });

    const refused = await failure(
      server.usage.record.mutate({ ...op, userId, idempotencyKey: 'shared' }),
    );

    expect(refused).toMatchObject({ appCode: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await t.deps.db.selectFrom('usage_records').selectAll().execute()).toEqual([]);
  });

  it('refuses a credits.debit whose key an included usage record already used (no ledger entry)', async () => {
    const { t, admin, userId, server } = await usageApp({
      scopes: ['usage:write', 'credits:write'],
    });
    await setFreePlan(t, 5, 'credits');
    await grant(admin, userId, 100);
    const included = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'only' });

    const refused = await failure(
      server.credits.debit.mutate({ userId, amount: 1, idempotencyKey: 'only' }),
    );

    expect(included.outcome).toBe('included');
    expect(refused).toMatchObject({ code: 'CONFLICT', appCode: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 100, ledgerSum: 100 });
  });

  it('gives one key sent at once as an included usage record and as a debit exactly one effect', async () => {
    const databaseUrl = await createTestDatabase();
    const { t, admin, server, key } = await usageApp({
      databaseUrl,
      scopes: ['usage:write', 'credits:write'],
    });
    const two = keyClient(await createTestApp({ databaseUrl }), key);
    await setFreePlan(t, 1000, 'credits');
    const users = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const row = await t.deps.db
          .insertInto('users')
          .values({ email: `race-${i}-${Date.now()}@example.com` })
          .returning('id')
          .executeTakeFirstOrThrow();
        await grant(admin, row.id, 10);
        return row.id;
      }),
    );

    // The debits leave 0–360 ms after the records: early ones race the record's open
    // transaction, late ones come after it committed. Every order ends with one effect per key.
    await Promise.all(
      users.map((userId, i) =>
        Promise.allSettled([
          server.usage.record.mutate({ ...op, userId, idempotencyKey: `${userId}:k` }),
          new Promise((resolve) => setTimeout(resolve, i * 40)).then(() =>
            two.credits.debit.mutate({ userId, amount: 1, idempotencyKey: `${userId}:k` }),
          ),
        ]),
      ),
    );

    for (const userId of users) {
      const records = await t.deps.db
        .selectFrom('usage_records')
        .select('id')
        .where('user_id', '=', userId)
        .execute();
      const { balance } = await ledgerState(t, userId);
      const effects = records.length + (balance === 9 ? 1 : 0);
      expect({ userId, effects }).toEqual({ userId, effects: 1 });
    }
  });

  it('the same key sent concurrently from two server processes has one effect and one answer', async () => {
    const databaseUrl = await createTestDatabase();
    const { t, admin, userId, server, key } = await usageApp({ databaseUrl });
    const two = keyClient(await createTestApp({ databaseUrl }), key);
    await setFreePlan(t, 0, 'credits');
    await grant(admin, userId, 100);

    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? two : server).usage.record.mutate({ ...op, userId, idempotencyKey: 'twice' }),
      ),
    );

    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ outcome: 'credits', remaining: { creditBalance: 92 } });
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 92, ledgerSum: 92 });
  });
});

describe('usage.record: the quota boundary under concurrency', () => {
  it('with one included operation left, two concurrent records: one included, one paid with credits — never two included', async () => {
    const databaseUrl = await createTestDatabase();
    const { t, admin, server, key } = await usageApp({ databaseUrl });
    const two = keyClient(await createTestApp({ databaseUrl }), key);
    await setFreePlan(t, 1, 'credits');
    // Twenty users at once, each at their boundary, the two records in two server processes.
    const users = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const row = await t.deps.db
          .insertInto('users')
          .values({ email: `edge-${i}-${Date.now()}@example.com` })
          .returning('id')
          .executeTakeFirstOrThrow();
        await grant(admin, row.id, 8);
        return row.id;
      }),
    );

    const results = await Promise.all(
      users.map((userId) =>
        Promise.all([
          server.usage.record.mutate({ ...op, userId, idempotencyKey: `${userId}:a` }),
          two.usage.record.mutate({ ...op, userId, idempotencyKey: `${userId}:b` }),
        ]),
      ),
    );

    for (const [index, pair] of results.entries()) {
      expect(pair.map((r) => r.outcome).sort()).toEqual(['credits', 'included']);
      expect(await ledgerState(t, users[index] ?? '')).toMatchObject({ balance: 0, ledgerSum: 0 });
    }
    const counters = await t.deps.db.selectFrom('usage_counters').select('used').execute();
    expect(counters.map((c) => c.used)).toEqual(users.map(() => 1));
  });

  it('on a plan set to refuse, the same race gives one included and one QUOTA_EXCEEDED', async () => {
    const { t, userId, server } = await usageApp();
    await setFreePlan(t, 1, 'refuse');

    const settled = await Promise.allSettled([
      server.usage.record.mutate({ ...op, userId, idempotencyKey: 'a' }),
      server.usage.record.mutate({ ...op, userId, idempotencyKey: 'b' }),
    ]);

    const included = settled.filter((s) => s.status === 'fulfilled');
    expect(included).toHaveLength(1);
    const refused = await failure(
      Promise.reject(settled.find((s) => s.status === 'rejected')?.reason),
    );
    expect(refused).toMatchObject({ appCode: 'QUOTA_EXCEEDED' });
    expect(await t.deps.db.selectFrom('usage_records').selectAll().execute()).toHaveLength(1);
  });
});
