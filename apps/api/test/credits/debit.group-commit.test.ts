/**
 * Group commit: debits of one account arriving together in one process share a transaction
 * (CREDITS_GROUP_COMMIT, on by default), and each still answers exactly as it would alone —
 * in the order they queued. debitBatch is driven directly where a test needs a batch of known
 * members; the API test shows the queue forming batches under concurrent calls.
 */
import type { Json } from '@tollbooth/db';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { debitCredits } from '../../src/credits/debit/debit';
import { type DebitOutcome, debitBatch, type LockMode } from '../../src/credits/debit/debit-batch';
import { verifyLedger } from '../../src/credits/verify/verify-ledger';
import { createTestApp, type TestApp } from '../harness';
import { setFreePlan, usageApp } from '../usage/usage-testing';
import {
  createKey,
  createUser,
  domainEvents,
  grant,
  keyClient,
  ledgerState,
  signInAdmin,
} from './credits-testing';

async function fundedAccount(amount: number, env: Record<string, string> = {}) {
  const t = await createTestApp({ env });
  const { client: admin } = await signInAdmin(t);
  const userId = await createUser(t);
  if (amount > 0) await grant(admin, userId, amount);
  return { t, admin, userId };
}

function debit(userId: string, amount: number, idempotencyKey: string) {
  return { userId, amount, idempotencyKey, reason: null, metadata: {} satisfies Json };
}

/** A batch's outcomes, run as the account queue runs it unless `mode` says otherwise. */
async function batchOf(
  t: TestApp,
  requests: ReturnType<typeof debit>[],
  mode: LockMode = 'wait',
): Promise<(DebitOutcome | undefined)[]> {
  return (await debitBatch(t.deps, requests, mode)).outcomes;
}

/** What an outcome says, without the entry's id and time. */
function summary(outcome: DebitOutcome | undefined) {
  if (!outcome) return { deferred: true };
  if (outcome.ok)
    return { ok: true, amount: outcome.result.amount, balance: outcome.result.balance };
  const error = outcome.error;
  return {
    ok: false,
    appCode: typeof error === 'object' && error && 'appCode' in error ? error.appCode : error,
    details: typeof error === 'object' && error && 'details' in error ? error.details : undefined,
  };
}

async function entriesOf(t: TestApp, userId: string) {
  return t.deps.db
    .selectFrom('credit_ledger')
    .select(['idempotency_key', 'delta', 'balance_after'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'debit')
    .orderBy('id')
    .execute();
}

describe('group commit of debits of one account', () => {
  it('decides each debit of a batch in order: one short of credits in the middle is refused alone, at the balance its turn sees', async () => {
    const { t, userId } = await fundedAccount(10);

    const outcomes = await batchOf(t, [
      debit(userId, 3, 'b-1'),
      debit(userId, 3, 'b-2'),
      debit(userId, 5, 'b-3'),
      debit(userId, 2, 'b-4'),
      debit(userId, 1, 'b-5'),
    ]);

    expect(outcomes.map(summary)).toEqual([
      { ok: true, amount: 3, balance: 7 },
      { ok: true, amount: 3, balance: 4 },
      {
        ok: false,
        appCode: 'INSUFFICIENT_CREDITS',
        details: { balance: 4, requested: 5 },
      },
      { ok: true, amount: 2, balance: 2 },
      { ok: true, amount: 1, balance: 1 },
    ]);
    expect(await entriesOf(t, userId)).toEqual([
      { idempotency_key: 'b-1', delta: -3, balance_after: 7 },
      { idempotency_key: 'b-2', delta: -3, balance_after: 4 },
      { idempotency_key: 'b-4', delta: -2, balance_after: 2 },
      { idempotency_key: 'b-5', delta: -1, balance_after: 1 },
    ]);
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 1, ledgerSum: 1 });
    expect((await verifyLedger(t.deps)).ok).toBe(true);
  });

  it('answers a key with an entry as its first answer, a changed amount as IDEMPOTENCY_KEY_REUSED, and debits the rest', async () => {
    const { t, userId } = await fundedAccount(10);
    const first = await debitCredits(t.deps, debit(userId, 4, 'seen'));

    const outcomes = await batchOf(t, [
      debit(userId, 1, 'fresh-1'),
      debit(userId, 4, 'seen'),
      debit(userId, 2, 'fresh-2'),
    ]);
    const mismatch = await batchOf(t, [debit(userId, 5, 'seen'), debit(userId, 1, 'fresh-3')]);

    expect(outcomes[1]).toEqual({ ok: true, result: first });
    expect(outcomes.map(summary)).toEqual([
      { ok: true, amount: 1, balance: 5 },
      { ok: true, amount: 4, balance: 6 },
      { ok: true, amount: 2, balance: 3 },
    ]);
    expect(mismatch.map(summary)).toEqual([
      { ok: false, appCode: 'IDEMPOTENCY_KEY_REUSED', details: undefined },
      { ok: true, amount: 1, balance: 2 },
    ]);
    expect((await entriesOf(t, userId)).map((entry) => entry.idempotency_key)).toEqual([
      'seen',
      'fresh-1',
      'fresh-2',
      'fresh-3',
    ]);
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 2, ledgerSum: 2 });
  });

  it('refuses a key an included usage record holds (the shared key space), debiting the others', async () => {
    const { t, admin, userId, server } = await usageApp({ scopes: ['usage:write'] });
    await setFreePlan(t, 5, 'credits');
    await grant(admin, userId, 10);
    await server.usage.record.mutate({
      userId,
      operation: 'market_research',
      idempotencyKey: 'op-1',
    });

    const outcomes = await batchOf(t, [debit(userId, 1, 'op-1'), debit(userId, 1, 'other')]);

    expect(outcomes.map(summary)).toEqual([
      { ok: false, appCode: 'IDEMPOTENCY_KEY_REUSED', details: undefined },
      { ok: true, amount: 1, balance: 9 },
    ]);
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 9, ledgerSum: 9 });
  });

  it('writes one credits.low event for the one debit of a batch that crosses the threshold', async () => {
    const { t, userId } = await fundedAccount(103, { CREDITS_LOW_THRESHOLD: '100' });

    await batchOf(
      t,
      [1, 2, 3, 4, 5].map((n) => debit(userId, 2, `low-${n}`)),
    );

    const events = await domainEvents(t, 'credits.low', userId);
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toMatchObject({ balance: 99, threshold: 100 });
  });

  it('lets exactly the funded debits of many concurrent calls (each sent twice) succeed, in shared transactions, every replay answering as its first', async () => {
    const { t, admin, userId } = await fundedAccount(25);
    const { key } = await createKey(admin);
    const client = keyClient(t, key);
    const call = async (idempotencyKey: string) => {
      try {
        return {
          ok: true as const,
          ...(await client.credits.debit.mutate({ userId, amount: 1, idempotencyKey })),
        };
      } catch (error) {
        const data = typeof error === 'object' && error && 'data' in error ? error.data : undefined;
        return {
          ok: false as const,
          appCode: typeof data === 'object' && data && 'appCode' in data ? data.appCode : error,
        };
      }
    };

    const keys = Array.from({ length: 40 }, (_, i) => `many-${i}`);
    const pairs = await Promise.all(keys.map((k) => Promise.all([call(k), call(k)])));

    const succeeded = pairs.filter(([a, b]) => a.ok || b.ok);
    expect(succeeded).toHaveLength(25);
    for (const [a, b] of pairs) {
      // A key either debited once (both sends carry that one answer) or was refused.
      if (a.ok && b.ok) expect(b).toEqual(a);
      else
        for (const send of [a, b]) if (!send.ok) expect(send.appCode).toBe('INSUFFICIENT_CREDITS');
    }
    const entries = await entriesOf(t, userId);
    expect(entries).toHaveLength(25);
    expect(new Set(entries.map((entry) => entry.idempotency_key)).size).toBe(25);
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 0, ledgerSum: 0 });
    expect((await verifyLedger(t.deps)).ok).toBe(true);
    // Entries of one transaction share its xmin: the queue did coalesce.
    const { rows } = await sql<{ size: number }>`
      select count(*)::int as size from credit_ledger
       where user_id = ${userId} and kind = 'debit' group by xmin::text order by size desc limit 1`.execute(
      t.deps.db,
    );
    expect(rows[0]?.size).toBeGreaterThan(1);
  });

  it('falls back to one transaction per debit when the batch fails as a whole (a key taken by a writer that holds no key lock), so only that key is refused', async () => {
    const { t, userId } = await fundedAccount(10);
    const other = await createUser(t);
    // An uncommitted entry of another account under the key 'taken' (as an admin grant writes
    // it: without the key lock), committed once the batch waits on it.
    let commitTaken: () => void = () => {};
    const holding = new Promise<void>((resolve) => {
      commitTaken = resolve;
    });
    let inserted: () => void = () => {};
    const taken = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const grantTransaction = t.deps.db.transaction().execute(async (trx) => {
      await sql`insert into credit_balances (user_id, balance) values (${other}, 5)`.execute(trx);
      await sql`insert into credit_ledger (user_id, kind, delta, balance_after, idempotency_key)
                values (${other}, 'grant', 5, 5, 'taken')`.execute(trx);
      inserted();
      await holding;
    });
    await taken;

    const calls = ['lone', 'taken', 'after-1', 'after-2'].map((k) =>
      debitCredits(t.deps, debit(userId, 1, k)).then(
        (result): DebitOutcome => ({ ok: true, result }),
        (error: unknown): DebitOutcome => ({ ok: false, error }),
      ),
    );
    await waitForLockWait(t);
    commitTaken();
    await grantTransaction;

    expect((await Promise.all(calls)).map(summary)).toEqual([
      { ok: true, amount: 1, balance: 9 },
      { ok: false, appCode: 'IDEMPOTENCY_KEY_REUSED', details: undefined },
      { ok: true, amount: 1, balance: 8 },
      { ok: true, amount: 1, balance: 7 },
    ]);
    expect(await ledgerState(t, userId)).toMatchObject({ balance: 7, ledgerSum: 7 });
    expect((await verifyLedger(t.deps)).ok).toBe(true);
  });
});

/** Until a statement of this database waits on a lock (the batch's INSERT on the key's index). */
async function waitForLockWait(t: TestApp): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock'`.execute(t.deps.db);
    if ((rows[0]?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no statement came to wait on the uncommitted key');
}
