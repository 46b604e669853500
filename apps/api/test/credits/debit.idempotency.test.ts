import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { debitCredits } from '../../src/credits/debit/debit';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';
import {
  createKey,
  createUser,
  grant,
  keyClient,
  ledgerState,
  signInAdmin,
} from './credits-testing';

async function fundedAccount(amount: number, options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp(options);
  const { client: admin } = await signInAdmin(t);
  const userId = await createUser(t);
  if (amount > 0) await grant(admin, userId, amount);
  const { key } = await createKey(admin);
  return { t, admin, userId, key, client: keyClient(t, key) };
}

describe('credits.debit', () => {
  it('takes the amount once per key: a replay answers exactly as the first call and moves nothing', async () => {
    const { t, userId, client } = await fundedAccount(10);

    const first = await client.credits.debit.mutate({
      userId,
      amount: 3,
      idempotencyKey: 'order-1',
      reason: 'export',
      metadata: { file: 'q3.csv' },
    });
    const replay = await client.credits.debit.mutate({
      userId,
      amount: 3,
      idempotencyKey: 'order-1',
    });

    expect(first).toEqual({
      entryId: expect.any(String),
      userId,
      amount: 3,
      balance: 7,
      createdAt: expect.any(String),
    });
    expect(replay).toEqual(first);
    expect(await ledgerState(t, userId)).toEqual({ balance: 7, ledgerSum: 7, entries: 2 });
    const entry = await t.deps.db
      .selectFrom('credit_ledger')
      .selectAll()
      .where('idempotency_key', '=', 'order-1')
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({
      kind: 'debit',
      delta: -3,
      balance_after: 7,
      reason: 'export',
      metadata: { file: 'q3.csv' },
    });
  });

  it('answers from the stored entry when the first answer was lost, also in another server process', async () => {
    const databaseUrl = await createTestDatabase();
    const { userId, client } = await fundedAccount(10, { databaseUrl });
    const other = await createTestApp({ databaseUrl });
    // The debit commits in "other" and its answer never reaches the caller (a crash between
    // commit and response looks the same from outside).
    const lost = await debitCredits(other.deps, {
      userId,
      amount: 4,
      idempotencyKey: 'lost-answer',
      reason: null,
      metadata: {},
    });

    const retried = await client.credits.debit.mutate({
      userId,
      amount: 4,
      idempotencyKey: 'lost-answer',
    });

    expect(retried).toEqual({ ...lost, createdAt: lost.createdAt.toISOString() });
    expect(await client.credits.balance.query({ userId })).toEqual({ userId, balance: 6 });
  });

  it.each([
    ['another amount', (userId: string) => ({ userId, amount: 2, idempotencyKey: 'k' })],
    [
      'another user',
      (_userId: string, other: string) => ({ userId: other, amount: 1, idempotencyKey: 'k' }),
    ],
  ])(
    'refuses the same key with %s: 409 CONFLICT / IDEMPOTENCY_KEY_REUSED',
    async (_label, second) => {
      const { t, admin, userId, client } = await fundedAccount(10);
      const otherUser = await createUser(t);
      await grant(admin, otherUser, 10);
      await client.credits.debit.mutate({ userId, amount: 1, idempotencyKey: 'k' });

      const error = await failure(client.credits.debit.mutate(second(userId, otherUser)));

      expect(error).toMatchObject({
        code: 'CONFLICT',
        httpStatus: 409,
        appCode: 'IDEMPOTENCY_KEY_REUSED',
        data: { fieldErrors: { idempotencyKey: [expect.any(String)] } },
      });
      expect(await ledgerState(t, userId)).toMatchObject({ balance: 9 });
      expect(await ledgerState(t, otherUser)).toMatchObject({ balance: 10 });
    },
  );

  it('refuses a key that an admin grant used (one key space for every entry)', async () => {
    const { admin, userId, client } = await fundedAccount(10);
    await admin.admin.credits.grant.mutate({
      userId,
      amount: 5,
      reason: 'gift',
      idempotencyKey: 'shared',
    });

    const error = await failure(
      client.credits.debit.mutate({ userId, amount: 5, idempotencyKey: 'shared' }),
    );

    expect(error.appCode).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('answers 402 PAYMENT_REQUIRED / INSUFFICIENT_CREDITS with the balance and the amount asked, and writes nothing', async () => {
    const { t, userId, client } = await fundedAccount(5);

    const error = await failure(
      client.credits.debit.mutate({ userId, amount: 6, idempotencyKey: 'too-much' }),
    );

    expect(error).toMatchObject({
      code: 'PAYMENT_REQUIRED',
      httpStatus: 402,
      appCode: 'INSUFFICIENT_CREDITS',
      data: { details: { balance: 5, requested: 6 } },
    });
    expect(await ledgerState(t, userId)).toEqual({ balance: 5, ledgerSum: 5, entries: 1 });
  });

  it('refuses an account that never had credits with balance 0', async () => {
    const { t, client } = await fundedAccount(0);
    const empty = await createUser(t);

    const error = await failure(
      client.credits.debit.mutate({ userId: empty, amount: 1, idempotencyKey: 'none' }),
    );

    expect(error).toMatchObject({
      appCode: 'INSUFFICIENT_CREDITS',
      data: { details: { balance: 0, requested: 1 } },
    });
  });

  it('does not remember a refusal: the same key succeeds once the account has credits', async () => {
    const { admin, userId, client } = await fundedAccount(1);
    const refused = await failure(
      client.credits.debit.mutate({ userId, amount: 3, idempotencyKey: 'later' }),
    );
    await grant(admin, userId, 5);

    const accepted = await client.credits.debit.mutate({
      userId,
      amount: 3,
      idempotencyKey: 'later',
    });

    expect(refused.appCode).toBe('INSUFFICIENT_CREDITS');
    expect(accepted).toMatchObject({ amount: 3, balance: 3 });
  });

  it("debits the signed-in user's own account with their token, no userId needed", async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const account = await registerAccount(t);
    await grant(admin, account.user.id, 2);
    const own = t.client({ batch: false, accessToken: account.accessToken });

    const result = await own.credits.debit.mutate({ amount: 2, idempotencyKey: 'mine-1' });

    expect(result).toMatchObject({ userId: account.user.id, amount: 2, balance: 0 });
    expect(await own.credits.balance.query()).toEqual({ userId: account.user.id, balance: 0 });
  });
});

describe("credits.use (the seed's use-credits)", () => {
  it('debits `units` with `ref` as the idempotency key, in the same key space as credits.debit', async () => {
    const { t, userId, client } = await fundedAccount(10);

    const used = await client.credits.use.mutate({ userId, units: 4, ref: 'job-7' });
    const replay = await client.credits.use.mutate({ userId, units: 4, ref: 'job-7' });
    const asDebit = await client.credits.debit.mutate({
      userId,
      amount: 4,
      idempotencyKey: 'job-7',
    });
    const reused = await failure(client.credits.use.mutate({ userId, units: 5, ref: 'job-7' }));
    const short = await failure(client.credits.use.mutate({ userId, units: 7, ref: 'job-8' }));

    expect(used).toMatchObject({ userId, amount: 4, balance: 6 });
    expect(replay).toEqual(used);
    expect(asDebit).toEqual(used);
    expect(reused).toMatchObject({
      appCode: 'IDEMPOTENCY_KEY_REUSED',
      data: { fieldErrors: { ref: [expect.any(String)] } },
    });
    expect(short).toMatchObject({
      appCode: 'INSUFFICIENT_CREDITS',
      data: { details: { balance: 6, requested: 7 } },
    });
    expect(await ledgerState(t, userId)).toEqual({ balance: 6, ledgerSum: 6, entries: 2 });
  });
});
