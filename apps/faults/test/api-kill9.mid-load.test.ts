/**
 * kill -9 of one API process mid-load (issue 10): 2,000 debits from 60 clients over two
 * processes; after 400 attempts one process is killed with SIGKILL (requests in flight on it
 * get a reset connection, some after their debit committed), its clients retry on the other
 * with the same keys, and later it is started again on the same port. Afterwards every
 * request was answered, every debit is in the ledger exactly once, the ledger holds nothing
 * nobody asked for, and the restarted process serves again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHolders, createServerKey, grantCredits, signInAdmin } from '../src/accounts';
import { callProcedure } from '../src/client';
import { emptyFigures, writeFigures } from '../src/figures';
import { balanceOf, debitKeys } from '../src/invariants';
import { type MoneyRequest, runMoneyLoad, summarize } from '../src/load';
import { checkMoney, NO_FINDINGS } from '../src/money-checks';
import { type Stack, startStack } from '../src/stack';

const DEBITS = 2_000;
const HELD = 10_000;
const CLIENTS = 60;
const KILL_AT_ATTEMPT = 400;
const RESTART_AT_ATTEMPT = 1_200;
const REQUEST_TIMEOUT_MS = 10_000;

const figures = emptyFigures();
let stack: Stack;
let adminToken: string;
let serverKey: string;

beforeAll(async () => {
  stack = await startStack({ apis: 2 });
  const first = stack.apis[0]?.url ?? '';
  adminToken = (await signInAdmin(first, stack.database.pool)).token;
  serverKey = await createServerKey(first, adminToken);
});

afterAll(async () => {
  await writeFigures(inject('figuresDir'), 'api-kill9.mid-load', figures);
  await stack?.stop();
});

describe('kill -9 of one API process mid-load', () => {
  it('loses and duplicates nothing: every debit retried on the other process is in the ledger exactly once, and the restarted process serves again', async () => {
    const [victim, survivor] = stack.apis;
    if (!victim || !survivor) throw new Error('two API processes were expected');
    const holders = await createHolders(stack.database.pool, 2, 'kill9');
    for (const holder of holders) await grantCredits(survivor.url, adminToken, holder.id, HELD);
    const userIds = holders.map((holder) => holder.id);
    const run = randomUUID().slice(0, 8);
    const requests: MoneyRequest[] = Array.from({ length: DEBITS }, (_, index) => ({
      key: `kill9-${run}-${index}`,
      procedure: 'credits.debit',
      input: {
        userId: userIds[index % userIds.length],
        amount: 1,
        idempotencyKey: `kill9-${run}-${index}`,
      },
    }));

    let killed: Promise<void> | undefined;
    let restarted: Promise<void> | undefined;
    const report = await runMoneyLoad(requests, {
      apiUrls: () => stack.apis.map((api) => api.url),
      token: serverKey,
      clients: CLIENTS,
      timeoutMs: REQUEST_TIMEOUT_MS,
      onAttempt: (attempts) => {
        if (attempts === KILL_AT_ATTEMPT) {
          figures.faults += 1;
          killed = victim.kill9();
        }
        if (attempts === RESTART_AT_ATTEMPT) restarted = killed?.then(() => victim.start());
      },
    });
    figures.requests += report.attempts;
    expect(restarted).toBeDefined();
    await restarted;
    const outcome = summarize(report);

    // The kill happened mid-load: some attempts met the dead process and were retried.
    expect(killed).toBeDefined();
    expect(report.failedAttempts.network ?? 0).toBeGreaterThan(0);
    expect(outcome.lost, stack.diagnosis()).toEqual([]);
    expect(outcome.refused).toEqual([]);
    expect(outcome.acknowledged).toHaveLength(DEBITS);
    const keys = await debitKeys(stack.database.pool, userIds);
    expect(keys).toHaveLength(DEBITS);
    expect(new Set(keys)).toEqual(new Set(requests.map((request) => request.key)));
    for (const userId of userIds) {
      expect(await balanceOf(stack.database.pool, userId)).toBe(HELD - DEBITS / userIds.length);
    }
    expect(
      await checkMoney(
        stack.database.pool,
        { userIds, sent: requests.map((r) => r.key), acknowledged: outcome.acknowledged },
        figures,
      ),
    ).toEqual(NO_FINDINGS);

    // The restarted process serves: a new debit there, and a replay of one it never saw.
    const fresh = await callProcedure(victim.url, 'credits.debit', {
      mutation: true,
      token: serverKey,
      input: { userId: userIds[0], amount: 1, idempotencyKey: `kill9-${run}-after` },
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    const replay = await callProcedure(victim.url, 'credits.debit', {
      mutation: true,
      token: serverKey,
      input: requests[1]?.input,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    figures.requests += 2;
    expect(fresh).toMatchObject({ kind: 'answer', status: 200 });
    expect(replay).toMatchObject({ kind: 'answer', status: 200 });
    expect(await debitKeys(stack.database.pool, userIds)).toHaveLength(DEBITS + 1);
    console.log(
      `kill -9 mid-load: ${report.attempts} attempts, ${report.retries} retries, failed attempts ${JSON.stringify(report.failedAttempts)}`,
    );
  });
});
