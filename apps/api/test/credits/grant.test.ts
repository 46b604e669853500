import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';
import { auditRows, createUser, ledgerState, signInAdmin } from './credits-testing';

describe('admin.credits.grant', () => {
  it('credits an account once per idempotency key, answers a replay as the first grant, and audits it once', async () => {
    const t = await createTestApp();
    const { account, client: admin } = await signInAdmin(t);
    const userId = await createUser(t);
    const input = { userId, amount: 250, reason: 'beta tester', idempotencyKey: 'grant-beta-1' };

    const first = await admin.admin.credits.grant.mutate(input);
    const replays = await Promise.all([
      admin.admin.credits.grant.mutate(input),
      admin.admin.credits.grant.mutate(input),
    ]);

    expect(first).toEqual({
      entryId: expect.any(String),
      userId,
      amount: 250,
      balance: 250,
      createdAt: expect.any(String),
    });
    expect(replays).toEqual([first, first]);
    expect(await ledgerState(t, userId)).toEqual({ balance: 250, ledgerSum: 250, entries: 1 });
    expect(await auditRows(t, 'credits.granted')).toEqual([
      {
        user_id: account.user.id,
        status: 'success',
        metadata: {
          creditedUserId: userId,
          amount: 250,
          reason: 'beta tester',
          entryId: first.entryId,
        },
      },
    ]);
  });

  it('refuses the same key for another amount or account with IDEMPOTENCY_KEY_REUSED', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const userId = await createUser(t);
    const other = await createUser(t);
    await admin.admin.credits.grant.mutate({ userId, amount: 5, reason: 'r', idempotencyKey: 'g' });

    const amount = await failure(
      admin.admin.credits.grant.mutate({ userId, amount: 6, reason: 'r', idempotencyKey: 'g' }),
    );
    const account = await failure(
      admin.admin.credits.grant.mutate({
        userId: other,
        amount: 5,
        reason: 'r',
        idempotencyKey: 'g',
      }),
    );

    expect([amount.appCode, account.appCode]).toEqual([
      'IDEMPOTENCY_KEY_REUSED',
      'IDEMPOTENCY_KEY_REUSED',
    ]);
    expect(await ledgerState(t, other)).toEqual({ balance: undefined, ledgerSum: 0, entries: 0 });
  });

  it('answers USER_NOT_FOUND for an account that does not exist', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);

    const error = await failure(
      admin.admin.credits.grant.mutate({
        userId: '00000000-0000-4000-8000-000000000000',
        amount: 1,
        reason: 'r',
        idempotencyKey: 'nobody',
      }),
    );

    expect(error).toMatchObject({ code: 'NOT_FOUND', appCode: 'USER_NOT_FOUND' });
  });

  it('is refused to a signed-in user who is not an admin (403)', async () => {
    const t = await createTestApp();
    const member = await registerAccount(t);

    const error = await failure(
      t.client({ accessToken: member.accessToken }).admin.credits.grant.mutate({
        userId: member.user.id,
        amount: 1000,
        reason: 'me',
        idempotencyKey: 'self',
      }),
    );

    expect(error).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN' });
    expect(await ledgerState(t, member.user.id)).toMatchObject({ entries: 0 });
  });
});
