import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';
import { createKey, createUser, grant, keyClient, signInAdmin } from './credits-testing';

async function accountWithHistory() {
  const t = await createTestApp();
  const { client: admin } = await signInAdmin(t);
  const userId = await createUser(t);
  const client = keyClient(t, (await createKey(admin)).key);
  await grant(admin, userId, 50); // 2026-01-01T00:00
  for (let i = 1; i <= 6; i++) {
    t.clock.advance(60 * 60 * 1000); // one debit an hour
    await client.credits.debit.mutate({ userId, amount: i, idempotencyKey: `h-${userId}-${i}` });
  }
  return { t, admin, userId, client };
}

describe('credits.history', () => {
  it('pages newest first with a cursor, never skipping or repeating an entry', async () => {
    const { client, userId } = await accountWithHistory();

    const first = await client.credits.history.query({ userId, limit: 3 });
    const second = await client.credits.history.query({
      userId,
      limit: 3,
      cursor: first.nextCursor ?? '',
    });
    const third = await client.credits.history.query({
      userId,
      limit: 3,
      cursor: second.nextCursor ?? '',
    });

    expect(first.entries.map((e) => e.delta)).toEqual([-6, -5, -4]);
    expect(second.entries.map((e) => e.delta)).toEqual([-3, -2, -1]);
    expect(third.entries.map((e) => [e.kind, e.delta, e.balanceAfter])).toEqual([
      ['grant', 50, 50],
    ]);
    expect(third.nextCursor).toBeNull();
    expect(first.entries[0]).toEqual({
      id: expect.any(String),
      kind: 'debit',
      delta: -6,
      balanceAfter: 29,
      reason: null,
      idempotencyKey: `h-${userId}-6`,
      sourceRef: null,
      metadata: {},
      createdAt: '2026-01-01T06:00:00.000Z',
    });
  });

  it('filters by kind and by a from/to window', async () => {
    const { client, userId } = await accountWithHistory();

    const grants = await client.credits.history.query({ userId, kinds: ['grant', 'purchase'] });
    const window = await client.credits.history.query({
      userId,
      kinds: ['debit'],
      from: '2026-01-01T02:00:00Z',
      to: '2026-01-01T05:00:00Z',
    });

    expect(grants.entries.map((e) => e.kind)).toEqual(['grant']);
    expect(window.entries.map((e) => e.createdAt)).toEqual([
      '2026-01-01T04:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
    ]);
  });

  it('shows a user their own history and balance with their token', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const account = await registerAccount(t);
    await grant(admin, account.user.id, 7);
    const own = t.client({ accessToken: account.accessToken });

    const history = await own.credits.history.query();

    expect(history.entries.map((e) => e.delta)).toEqual([7]);
    expect(await own.credits.balance.query()).toEqual({ userId: account.user.id, balance: 7 });
  });

  it.each([
    ['a cursor that is not one', { cursor: 'abc' }, 'cursor'],
    ['a limit above 100', { limit: 101 }, 'limit'],
    ['an unknown kind', { kinds: ['gift'] }, 'kinds'],
    ['a time that is not ISO 8601', { from: 'yesterday' }, 'from'],
  ])('refuses %s with a field message', async (_label, input, field) => {
    const { client, userId } = await accountWithHistory();

    // @ts-expect-error deliberately invalid input
    const error = await failure(client.credits.history.query({ userId, ...input }));

    expect(error.appCode).toBe('VALIDATION_FAILED');
    expect(Object.keys(error.data.fieldErrors ?? {}).map((path) => path.split('.')[0])).toContain(
      field,
    );
  });
});
