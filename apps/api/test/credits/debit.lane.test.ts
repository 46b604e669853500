/**
 * The lane (credits/debit/debit-lane.ts): debits of many accounts arriving together in one
 * process share one transaction, each answered as alone; and the lane never waits on an
 * account — a balance row or key another transaction holds sends just those debits to their
 * account's queue, while the rest of the batch commits.
 */
import type { Json } from '@tollbooth/db';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { debitCredits } from '../../src/credits/debit/debit';
import { debitBatch } from '../../src/credits/debit/debit-batch';
import { verifyLedger } from '../../src/credits/verify/verify-ledger';
import { createTestApp, type TestApp } from '../harness';
import {
  createKey,
  createUser,
  grant,
  keyClient,
  ledgerState,
  signInAdmin,
} from './credits-testing';

function debit(userId: string, amount: number, idempotencyKey: string) {
  return { userId, amount, idempotencyKey, reason: null, metadata: {} satisfies Json };
}

async function fundedAccounts(count: number, amount: number) {
  const t = await createTestApp();
  const { client: admin } = await signInAdmin(t);
  const accounts: string[] = [];
  for (let i = 0; i < count; i++) {
    const userId = await createUser(t);
    if (amount > 0) await grant(admin, userId, amount);
    accounts.push(userId);
  }
  return { t, admin, accounts };
}

/** Another session holding a lock until released, as a stuck transaction would. */
const sessions: pg.Client[] = [];
afterEach(async () => {
  for (const client of sessions.splice(0)) {
    await client.query('rollback').catch(() => {});
    await client.end();
  }
});
async function holding(t: TestApp, statement: string, params: unknown[]) {
  const client = new pg.Client({ connectionString: t.config.databaseUrl });
  await client.connect();
  sessions.push(client);
  await client.query('begin');
  await client.query(statement, params);
  return async () => {
    await client.query('commit');
  };
}

describe('the debit lane, across accounts', () => {
  it('debits many accounts arriving together in shared transactions, each with its own answer and chain', async () => {
    const { t, admin, accounts } = await fundedAccounts(12, 5);
    const { key } = await createKey(admin);
    const client = keyClient(t, key);

    const answers = await Promise.all(
      accounts.flatMap((userId, a) =>
        [1, 2].map((n) =>
          client.credits.debit.mutate({ userId, amount: n, idempotencyKey: `lane-${a}-${n}` }),
        ),
      ),
    );

    // Per account, 1 and 2 in either order: each answer's balance is the one its turn saw.
    for (const userId of accounts) {
      const mine = answers.filter((answer) => answer.userId === userId);
      const balances = mine.map((answer) => [answer.amount, answer.balance]).sort();
      expect([
        [
          [1, 4],
          [2, 2],
        ],
        [
          [1, 2],
          [2, 3],
        ],
      ]).toContainEqual(balances);
      expect(await ledgerState(t, userId)).toMatchObject({ balance: 2, ledgerSum: 2 });
    }
    expect((await verifyLedger(t.deps)).ok).toBe(true);
    // One transaction wrote entries of several accounts: the lane did coalesce across them.
    const { rows } = await sql<{ accounts: number }>`
      select count(distinct user_id)::int as accounts from credit_ledger
       where kind = 'debit' group by xmin::text order by accounts desc limit 1`.execute(t.deps.db);
    expect(rows[0]?.accounts).toBeGreaterThan(1);
  });

  it('hands back, undecided, the debits whose balance row another transaction holds, and commits the others', async () => {
    const { t, accounts } = await fundedAccounts(3, 10);
    const [free, locked, other] = accounts as [string, string, string];
    await holding(t, 'select 1 from credit_balances where user_id = $1 for update', [locked]);

    const { outcomes, deferred } = await debitBatch(
      t.deps,
      [
        debit(free, 1, 'f-1'),
        debit(locked, 1, 'l-1'),
        debit(other, 2, 'o-1'),
        debit(locked, 1, 'l-2'),
      ],
      'skip',
    );

    expect(deferred).toEqual([1, 3]);
    expect(outcomes.map((outcome) => (outcome?.ok ? outcome.result.balance : outcome))).toEqual([
      9,
      undefined,
      8,
      undefined,
    ]);
    expect(await ledgerState(t, locked)).toMatchObject({ balance: 10, ledgerSum: 10 });
  });

  it('hands back a debit whose key another transaction holds (a retry of it in another process), and an account without a balance row', async () => {
    const { t, accounts } = await fundedAccounts(2, 10);
    const [funded, other] = accounts as [string, string];
    const empty = await createUser(t);
    await holding(
      t,
      `select pg_advisory_xact_lock(hashtextextended('idempotency:' || $1::text, 0))`,
      ['busy-key'],
    );

    const { outcomes, deferred } = await debitBatch(
      t.deps,
      [debit(funded, 1, 'busy-key'), debit(empty, 1, 'e-1'), debit(other, 1, 'o-1')],
      'skip',
    );

    expect(deferred).toEqual([0, 1]);
    expect(outcomes[2]).toMatchObject({ ok: true, result: { balance: 9 } });
  });

  it("keeps answering other accounts while one account's row is held, and answers that account once it is free", async () => {
    const { t, accounts } = await fundedAccounts(4, 10);
    const [locked, ...others] = accounts as [string, ...string[]];
    const release = await holding(
      t,
      'select 1 from credit_balances where user_id = $1 for update',
      [locked],
    );

    const waiting = debitCredits(t.deps, debit(locked, 3, 'held-1'));
    // Debits of the other accounts, sent after the held one, are answered while it waits.
    const answered = await Promise.all(
      others.map((userId, i) => debitCredits(t.deps, debit(userId, 1, `free-${i}`))),
    );
    expect(answered.map((answer) => answer.balance)).toEqual([9, 9, 9]);
    let settled = false;
    void waiting.finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);

    await release();
    expect(await waiting).toMatchObject({ amount: 3, balance: 7 });
    expect((await verifyLedger(t.deps)).ok).toBe(true);
  });

  it('refuses, through the account path, a debit of an account that never had credits', async () => {
    const { t } = await fundedAccounts(0, 0);
    const empty = await createUser(t);
    await expect(debitCredits(t.deps, debit(empty, 1, 'nothing'))).rejects.toMatchObject({
      appCode: 'INSUFFICIENT_CREDITS',
      details: { balance: 0, requested: 1 },
    });
  });
});
