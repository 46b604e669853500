/**
 * A slow database, at process level (issue 10): the suite's own session holds one account's
 * balance row (as a stuck transaction or a long migration would). That account's debits wait
 * for the lock until the server cancels them at DATABASE_STATEMENT_TIMEOUT_MS, and answer a
 * clean 503 SERVICE_UNAVAILABLE; meanwhile other accounts on the same process keep being
 * served. Even three times the pool's worth of stuck debits answers within the bounds (no
 * hang), and the pool is whole afterwards: nothing leaked, nothing written by a cancelled one.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHolders, createServerKey, grantCredits, signInAdmin } from '../src/accounts';
import { callProcedure, type Outcome } from '../src/client';
import { emptyFigures, writeFigures } from '../src/figures';
import { balanceOf, missingKeys } from '../src/invariants';
import { checkMoney, NO_FINDINGS } from '../src/money-checks';
import { CONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS, type Stack, startStack } from '../src/stack';

/** Two shared cores: what a bounded answer may take beyond its timeout. */
const SCHEDULING_SLACK_MS = 2_000;
/** The API processes' DATABASE_POOL_MAX (stack.ts). */
const POOL_MAX = 10;
const HELD = 1_000;

const figures = emptyFigures();
let stack: Stack;
let serverKey: string;
let locked: string;
let free: string;

beforeAll(async () => {
  stack = await startStack({ apis: 2 });
  const first = stack.apis[0]?.url ?? '';
  const admin = await signInAdmin(first, stack.database.pool);
  serverKey = await createServerKey(first, admin.token);
  const holders = await createHolders(stack.database.pool, 2, 'slow');
  for (const holder of holders) await grantCredits(first, admin.token, holder.id, HELD);
  [locked, free] = holders.map((holder) => holder.id) as [string, string];
});

afterAll(async () => {
  await writeFigures(inject('figuresDir'), 'slow-database.lock', figures);
  await stack?.stop();
});

/** The suite's own session holding `userId`'s balance row until released. */
async function lockBalanceRow(userId: string) {
  const client = new pg.Client({ connectionString: stack.database.url });
  await client.connect();
  await client.query('begin');
  await client.query('select balance from credit_balances where user_id = $1 for update', [userId]);
  figures.faults += 1;
  return async () => {
    await client.query('rollback');
    await client.end();
  };
}

const sent: string[] = [];
const acknowledged: string[] = [];

function debit(url: string, userId: string, timeoutMs: number): Promise<Outcome> {
  const key = `slow-${randomUUID()}`;
  sent.push(key);
  figures.requests += 1;
  return callProcedure(url, 'credits.debit', {
    mutation: true,
    token: serverKey,
    input: { userId, amount: 1, idempotencyKey: key },
    timeoutMs,
  }).then((outcome) => {
    if (outcome.kind === 'answer' && outcome.status === 200) acknowledged.push(key);
    return outcome;
  });
}

function balance(url: string, userId: string, timeoutMs: number): Promise<Outcome> {
  figures.requests += 1;
  return callProcedure(url, 'credits.balance', {
    token: serverKey,
    input: { userId },
    timeoutMs,
  });
}

const timedOut = (outcome: Outcome) =>
  outcome.kind === 'answer' && outcome.status === 503 && outcome.appCode === 'SERVICE_UNAVAILABLE';
const served = (outcome: Outcome) => outcome.kind === 'answer' && outcome.status === 200;

describe('a slow database (a row lock held by another session)', () => {
  it('times the locked account’s debits out at the statement bound with 503 SERVICE_UNAVAILABLE, while other accounts on the same process are served', async () => {
    const url = stack.apis[0]?.url ?? '';
    const release = await lockBalanceRow(locked);
    try {
      const bound = STATEMENT_TIMEOUT_MS + SCHEDULING_SLACK_MS + 5_000;
      const [stuck, others] = await Promise.all([
        Promise.all(Array.from({ length: POOL_MAX / 2 }, () => debit(url, locked, bound))),
        Promise.all([
          ...Array.from({ length: 5 }, () => debit(url, free, bound)),
          ...Array.from({ length: 5 }, () => balance(url, free, bound)),
        ]),
      ]);
      expect(stuck.filter((outcome) => !timedOut(outcome))).toEqual([]);
      for (const outcome of stuck) {
        // Waited for the bound, not less, and answered soon after it.
        expect(outcome.ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 100);
        expect(outcome.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + SCHEDULING_SLACK_MS);
      }
      expect(others.filter((outcome) => !served(outcome))).toEqual([]);
      for (const outcome of others) expect(outcome.ms).toBeLessThan(STATEMENT_TIMEOUT_MS);
    } finally {
      await release();
    }
  });

  it('answers three pools’ worth of stuck debits within the connect and statement bounds, the other process serving meanwhile, and the pool is whole afterwards', async () => {
    const [api, other] = stack.apis;
    if (!api || !other) throw new Error('two API processes were expected');
    const bound = CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + SCHEDULING_SLACK_MS;
    const release = await lockBalanceRow(locked);
    let stuck: Outcome[];
    let elsewhere: Outcome[];
    try {
      [stuck, elsewhere] = await Promise.all([
        Promise.all(
          Array.from({ length: 3 * POOL_MAX }, () => debit(api.url, locked, bound + 5_000)),
        ),
        Promise.all(Array.from({ length: 5 }, () => debit(other.url, free, bound + 5_000))),
      ]);
    } finally {
      await release();
    }
    // Each one is an outage answer within the bound: a lock wait cancelled, or no connection.
    expect(stuck.filter((outcome) => !timedOut(outcome) || outcome.ms > bound)).toEqual([]);
    expect(elsewhere.filter((outcome) => !served(outcome))).toEqual([]);

    // The pool gave back every connection: a pool's worth of reads at once, all served.
    const after = await Promise.all(
      Array.from({ length: POOL_MAX }, () => balance(api.url, free, bound)),
    );
    expect(after.filter((outcome) => !served(outcome))).toEqual([]);
    // The lock is gone: the account debits again.
    expect(served(await debit(api.url, locked, bound))).toBe(true);
  });

  it('wrote nothing for a cancelled debit: the locked account lost exactly its one acknowledged debit, and the ledger adds up', async () => {
    const cancelled = sent.filter((key) => !acknowledged.includes(key));
    expect(cancelled.length).toBeGreaterThan(3 * POOL_MAX);
    expect(await missingKeys(stack.database.pool, cancelled)).toHaveLength(cancelled.length);
    expect(await balanceOf(stack.database.pool, locked)).toBe(HELD - 1);
    expect(await balanceOf(stack.database.pool, free)).toBe(HELD - 10);
    expect(
      await checkMoney(
        stack.database.pool,
        { userIds: [locked, free], sent, acknowledged },
        figures,
      ),
    ).toEqual(NO_FINDINGS);
  });
});
