/**
 * Money under mixed load (issue 10): 2,400 debits and usage records over two API processes,
 * half on one hot account that cannot pay for all of them, half spread over 40 accounts that
 * can; every fifth request is sent twice at once (one copy to each process), a retry racing
 * its original. Usage is the plan's allowance first, then credits. Afterwards: no balance
 * below zero, every ledger sum equal to its balance, one effect per key, every acknowledged
 * request present, usage counters equal to their records and within their allowance, and
 * each account's balance exactly what its acknowledged answers add up to.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHolders, createServerKey, grantCredits, signInAdmin } from '../src/accounts';
import { emptyFigures, writeFigures } from '../src/figures';
import { balanceOf } from '../src/invariants';
import { type MoneyRequest, runMoneyLoad, summarize } from '../src/load';
import { checkMoney, NO_FINDINGS } from '../src/money-checks';
import { type Stack, startStack } from '../src/stack';

const OPERATION = 'fault_suite_call';
/** The free plan's allowance per account and period, before credits pay. */
const INCLUDED = 20;
const HOT_HELD = 600;
const HOT_REQUESTS = 1_200;
const SPREAD_ACCOUNTS = 40;
const SPREAD_REQUESTS_EACH = 30;
const SPREAD_HELD = 60;
const CLIENTS = 60;

const figures = emptyFigures();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ apis: 2 });
  await stack.database.pool.query(
    `insert into operation_types (code, name, unit_cost_credits) values ($1, 'Fault suite call', 1)`,
    [OPERATION],
  );
  await stack.database.pool.query(
    `update plans set included_operations = $1, overage_mode = 'credits' where code = 'free'`,
    [INCLUDED],
  );
});

afterAll(async () => {
  await writeFigures(inject('figuresDir'), 'money.mixed-load', figures);
  await stack?.stop();
});

/** Alternating debits and usage records for `userId`; every fifth one sent twice. */
function mixed(userId: string, count: number, label: string): MoneyRequest[] {
  return Array.from({ length: count }, (_, index) => {
    const key = `${label}-${randomUUID()}`;
    const twice = index % 5 === 0;
    return index % 2 === 0
      ? {
          key,
          procedure: 'credits.debit',
          input: { userId, amount: 1, idempotencyKey: key },
          twice,
        }
      : {
          key,
          procedure: 'usage.record',
          input: { userId, operation: OPERATION, quantity: 1, idempotencyKey: key },
          twice,
        };
  });
}

/** Credits an acknowledged answer took: a debit's amount, a usage record's credits part. */
function creditsTaken(request: MoneyRequest, data: unknown): number {
  if (request.procedure === 'credits.debit') return 1;
  const record =
    typeof data === 'object' && data !== null && 'record' in data ? data.record : undefined;
  const spent =
    typeof record === 'object' && record !== null && 'creditsSpent' in record
      ? record.creditsSpent
      : undefined;
  if (typeof spent !== 'number')
    throw new Error(`a usage answer without creditsSpent: ${JSON.stringify(data)}`);
  return spent;
}

describe('money under mixed load', () => {
  it('debits and usage records over a hot account and 40 spread ones, a fifth of them retried at once on the other process, keep every invariant and every balance equal to its acknowledged answers', async () => {
    const first = stack.apis[0]?.url ?? '';
    const admin = await signInAdmin(first, stack.database.pool);
    const serverKey = await createServerKey(first, admin.token);
    const [hot, ...spread] = await createHolders(stack.database.pool, SPREAD_ACCOUNTS + 1, 'mixed');
    if (!hot) throw new Error('no hot account');
    await grantCredits(first, admin.token, hot.id, HOT_HELD);
    for (const holder of spread) await grantCredits(first, admin.token, holder.id, SPREAD_HELD);
    const held = new Map([[hot.id, HOT_HELD], ...spread.map((h) => [h.id, SPREAD_HELD] as const)]);

    const hotRequests = mixed(hot.id, HOT_REQUESTS, 'hot');
    const spreadRequests = spread.flatMap((holder) =>
      mixed(holder.id, SPREAD_REQUESTS_EACH, 'spread'),
    );
    // Interleaved, so the hot account is contended all along.
    const requests = hotRequests.flatMap((request, index) => {
      const other = spreadRequests[index];
      return other ? [request, other] : [request];
    });
    const report = await runMoneyLoad(requests, {
      apiUrls: () => stack.apis.map((api) => api.url),
      token: serverKey,
      clients: CLIENTS,
      timeoutMs: 10_000,
    });
    figures.requests += report.attempts;
    const outcome = summarize(report);

    expect(outcome.lost, stack.diagnosis()).toEqual([]);
    const disagreements = [...report.finals].filter(
      ([, answers]) => new Set(answers.map((answer) => JSON.stringify(answer))).size > 1,
    );
    expect(disagreements).toEqual([]);
    // Only the hot account runs short; the spread ones can pay for everything.
    const spreadKeys = new Set(spreadRequests.map((request) => request.key));
    expect(outcome.refused.filter((key) => spreadKeys.has(key))).toEqual([]);
    expect(outcome.refused.length).toBeGreaterThan(0);
    expect(Object.keys(outcome.refusals)).toEqual(['402 INSUFFICIENT_CREDITS']);

    const taken = new Map<string, number>();
    for (const request of requests) {
      const [answer] = report.finals.get(request.key) ?? [];
      if (answer?.kind !== 'ok') continue;
      const userId = String(request.input.userId);
      taken.set(userId, (taken.get(userId) ?? 0) + creditsTaken(request, answer.data));
    }
    for (const [userId, credits] of held) {
      expect({ userId, balance: await balanceOf(stack.database.pool, userId) }).toEqual({
        userId,
        balance: credits - (taken.get(userId) ?? 0),
      });
    }
    expect(await balanceOf(stack.database.pool, hot.id)).toBe(0);
    expect(
      await checkMoney(
        stack.database.pool,
        {
          userIds: [...held.keys()],
          sent: requests.map((request) => request.key),
          acknowledged: outcome.acknowledged,
        },
        figures,
      ),
    ).toEqual(NO_FINDINGS);
    console.log(
      `mixed load: ${report.attempts} attempts for ${requests.length} requests, ${outcome.acknowledged.length} acknowledged, refusals ${JSON.stringify(outcome.refusals)}`,
    );
  });
});
