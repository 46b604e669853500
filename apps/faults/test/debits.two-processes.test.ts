/**
 * Debits across two API processes (issue 10, money): one account holding 5,000 credits, 10,000
 * debits of 1 from 100 concurrent clients, half on each process. The row lock in the debit's
 * UPDATE is the only thing that may decide, so exactly 5,000 succeed whichever process served
 * them; nothing in-process (a cache, a counter) is load-bearing. Then the same with each
 * of 5,000 requests sent twice at once, one copy to each process (a retry racing its original):
 * 5,000 effects, one per key, and both copies answered with the same entry.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHolders, createServerKey, grantCredits, signInAdmin } from '../src/accounts';
import { emptyFigures, writeFigures } from '../src/figures';
import { balanceOf, runCreditsVerify } from '../src/invariants';
import { type MoneyRequest, runMoneyLoad, summarize } from '../src/load';
import { checkMoney, NO_FINDINGS } from '../src/money-checks';
import { type Stack, startStack } from '../src/stack';

const HELD = 5_000;
const DEBITS = 10_000;
/** 50 clients per process. */
const CLIENTS = 100;
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
  await writeFigures(inject('figuresDir'), 'debits.two-processes', figures);
  await stack?.stop();
});

async function fundedHolder(label: string): Promise<string> {
  const [holder] = await createHolders(stack.database.pool, 1, label);
  if (!holder) throw new Error('no holder was created');
  await grantCredits(stack.apis[0]?.url ?? '', adminToken, holder.id, HELD);
  return holder.id;
}

function debits(userId: string, count: number, twice: boolean): MoneyRequest[] {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: count }, (_, index) => ({
    key: `two-processes-${run}-${index}`,
    procedure: 'credits.debit',
    input: { userId, amount: 1, idempotencyKey: `two-processes-${run}-${index}` },
    twice,
  }));
}

async function load(requests: MoneyRequest[]) {
  const report = await runMoneyLoad(requests, {
    apiUrls: () => stack.apis.map((api) => api.url),
    token: serverKey,
    clients: CLIENTS,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  figures.requests += report.attempts;
  return report;
}

describe('debits across two API processes', () => {
  it('10,000 debits of 1 from 100 clients on an account holding 5,000: exactly 5,000 succeed, the rest are refused as INSUFFICIENT_CREDITS, and the balance ends at 0 with the ledger summing to it', async () => {
    const userId = await fundedHolder('hot');
    const requests = debits(userId, DEBITS, false);
    const outcome = summarize(await load(requests));

    expect(outcome.lost, stack.diagnosis()).toEqual([]);
    expect(outcome.acknowledged).toHaveLength(HELD);
    expect(outcome.refusals).toEqual({ '402 INSUFFICIENT_CREDITS': DEBITS - HELD });
    expect(await balanceOf(stack.database.pool, userId)).toBe(0);
    expect(
      await checkMoney(
        stack.database.pool,
        { userIds: [userId], sent: requests.map((r) => r.key), acknowledged: outcome.acknowledged },
        figures,
      ),
    ).toEqual(NO_FINDINGS);
  });

  it('5,000 debits of 1 each sent twice at once with its key, one copy to each process, on an account holding 5,000: 5,000 distinct effects, both copies of a key get the same entry, and the balance ends at 0', async () => {
    const userId = await fundedHolder('hot-twice');
    const requests = debits(userId, HELD, true);
    const report = await load(requests);
    const outcome = summarize(report);

    expect(outcome.lost, stack.diagnosis()).toEqual([]);
    const disagreements = [...report.finals].filter(
      ([, [first, second]]) => JSON.stringify(first) !== JSON.stringify(second),
    );
    expect(disagreements).toEqual([]);
    expect(outcome.acknowledged).toHaveLength(HELD);
    expect(outcome.refused).toEqual([]);
    expect(await balanceOf(stack.database.pool, userId)).toBe(0);
    expect(
      await checkMoney(
        stack.database.pool,
        { userIds: [userId], sent: requests.map((r) => r.key), acknowledged: outcome.acknowledged },
        figures,
      ),
    ).toEqual(NO_FINDINGS);
  });

  it('pnpm credits:verify finds every ledger sum equal to its balance afterwards', async () => {
    const verify = await runCreditsVerify(stack.database.url);
    figures.invariants += 1;
    expect(verify.output).toMatch(/credits:verify OK/);
    expect(verify.code).toBe(0);
  });
});
