/**
 * A slow database (issue 10, "Slow database"): a row lock held by someone else (here a test's
 * own session, as a stuck transaction or a long migration would) makes the debits of that
 * one account wait; the server cancels each at DATABASE_STATEMENT_TIMEOUT_MS and the request
 * answers 503 SERVICE_UNAVAILABLE, while other accounts and auth.me keep serving. When the
 * lock has taken every pooled connection, other requests answer 503 at the pool's own
 * connect bound instead of queueing behind it, and serve again once the waits are cancelled.
 * With group commit (the default) one account's waits take a single connection.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { grant, ledgerState, signInAdmin } from '../credits/credits-testing';
import { createTestApp, type TestApp } from '../harness';
import { registerAccount } from '../support/accounts';
import {
  type Answer,
  CONNECT_TIMEOUT_MS,
  expectServiceUnavailable,
  procedure,
  RESILIENCE_ENV,
  SCHEDULING_SLACK_MS,
  STATEMENT_TIMEOUT_MS,
  untilTrue,
} from './resilience-testing';

/** The harness's pool size (test/harness.ts sets DATABASE_POOL_MAX=4). */
const POOL_MAX = 4;
/** A bounded call gets this long before the test calls it hung. */
const HANG_BOUND_MS = STATEMENT_TIMEOUT_MS + SCHEDULING_SLACK_MS + 5_000;

/** Another session holding `userId`'s balance row, as an open transaction would. */
async function lockBalanceRow(t: TestApp, userId: string) {
  const client = new pg.Client({ connectionString: t.config.databaseUrl });
  await client.connect();
  await client.query('begin');
  await client.query('select balance from credit_balances where user_id = $1 for update', [userId]);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await client.query('rollback');
    await client.end();
  };
  afterAll(release);
  return { release };
}

/**
 * Sessions waiting on a lock right now, seen from a connection of its own: the app's pool
 * may have none to spare.
 */
async function sessionsWaitingOnLocks(t: TestApp): Promise<number> {
  const client = new pg.Client({ connectionString: t.config.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ waiting: number }>(
      `select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`,
    );
    return rows[0]?.waiting ?? 0;
  } finally {
    await client.end();
  }
}

async function setUp(env: Record<string, string> = {}) {
  const t = await createTestApp({
    env: { ...RESILIENCE_ENV, DATABASE_POOL_MAX: String(POOL_MAX), ...env },
  });
  const { client: admin } = await signInAdmin(t);
  const locked = await registerAccount(t);
  const other = await registerAccount(t);
  await grant(admin, locked.user.id, 100);
  await grant(admin, other.user.id, 100);
  const debit = (token: string, idempotencyKey = `slow-${randomUUID()}`) =>
    procedure(t, 'credits.debit', {
      mutation: true,
      token,
      input: { amount: 1, idempotencyKey },
      boundMs: HANG_BOUND_MS,
    });
  const me = (token: string) => procedure(t, 'auth.me', { token, boundMs: HANG_BOUND_MS });
  return { t, locked, other, debit, me };
}

/** When each answer arrived, to order them. */
async function settled(call: Promise<Answer>) {
  const answer = await call;
  return { ...answer, at: performance.now() };
}

describe('a row lock held by another session', () => {
  it("times out that account's debit at the statement bound with 503, while another account's debit and auth.me answer meanwhile", async () => {
    const { t, locked, other, debit, me } = await setUp();
    const lock = await lockBalanceRow(t, locked.user.id);
    const key = `slow-${randomUUID()}`;

    const blocked = settled(debit(locked.accessToken, key));
    await untilTrue(async () => (await sessionsWaitingOnLocks(t)) === 1, 5_000, 'debit waits');
    const others = await Promise.all([
      settled(debit(other.accessToken)),
      settled(me(locked.accessToken)),
      settled(me(other.accessToken)),
    ]);
    const timedOut = await blocked;

    expectServiceUnavailable(timedOut);
    // It waited for the lock until the server cancelled it, and no longer.
    expect(timedOut.ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 100);
    expect(timedOut.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + SCHEDULING_SLACK_MS);
    for (const answer of others) {
      expect(answer.status).toBe(200);
      expect(answer.at).toBeLessThan(timedOut.at);
    }

    // Nothing was debited by the cancelled attempt; the same key succeeds once the lock is gone.
    await lock.release();
    expect((await debit(locked.accessToken, key)).status).toBe(200);
    expect(await ledgerState(t, locked.user.id)).toMatchObject({ balance: 99, ledgerSum: 99 });
  });

  it('with group commit, the debits of the locked account wait in the process on one pooled connection: other requests are served meanwhile, and each wait answers 503 within one statement bound', async () => {
    const { t, locked, other, debit, me } = await setUp();
    const lock = await lockBalanceRow(t, locked.user.id);

    const blocked = Array.from({ length: POOL_MAX * 2 }, () => settled(debit(locked.accessToken)));
    await untilTrue(async () => (await sessionsWaitingOnLocks(t)) === 1, 5_000, 'one debit waits');
    const others = await Promise.all([
      settled(debit(other.accessToken)),
      settled(me(other.accessToken)),
    ]);
    const timedOut = await Promise.all(blocked);

    for (const answer of others) expect(answer.status).toBe(200);
    for (const answer of timedOut) {
      expectServiceUnavailable(answer);
      expect(answer.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + SCHEDULING_SLACK_MS);
    }
    await lock.release();
    expect(await ledgerState(t, locked.user.id)).toMatchObject({ balance: 100, ledgerSum: 100 });
  });

  it('answers other requests 503 at the connect bound while the waits hold every pooled connection, and serves them again once the waits are cancelled', async () => {
    // One transaction per debit: each waiting debit holds a connection of its own.
    const { t, locked, other, debit, me } = await setUp({ CREDITS_GROUP_COMMIT: 'false' });
    const lock = await lockBalanceRow(t, locked.user.id);

    const blocked = Array.from({ length: POOL_MAX }, () => settled(debit(locked.accessToken)));
    await untilTrue(
      async () => (await sessionsWaitingOnLocks(t)) === POOL_MAX,
      5_000,
      'every pooled connection waits on the lock',
    );
    const starved = await settled(me(other.accessToken));
    const timedOut = await Promise.all(blocked);

    expectServiceUnavailable(starved);
    // The pool's own bound answered it, before any lock wait was cancelled.
    expect(starved.ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 100);
    expect(starved.ms).toBeLessThan(STATEMENT_TIMEOUT_MS);
    for (const answer of timedOut) {
      expectServiceUnavailable(answer);
      expect(starved.at).toBeLessThan(answer.at);
    }
    // The lock is still held, but the pool is free again: everyone else is served.
    expect((await me(other.accessToken)).status).toBe(200);
    expect((await debit(other.accessToken)).status).toBe(200);
    await lock.release();
    expect(await ledgerState(t, locked.user.id)).toMatchObject({ balance: 100, ledgerSum: 100 });
  });
});
