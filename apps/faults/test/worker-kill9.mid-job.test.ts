/**
 * kill -9 of the worker mid-job (issue 10): ten debits each take an account below the
 * low-balance threshold, which queues one mail per event. The SMTP server (real, counting)
 * holds every message 800 ms before accepting it; the worker process is killed with SIGKILL
 * while a mail is in that window, twice, and started again each time. The jobs it held stay
 * locked by its dead worker ids; the new worker process takes them back once their liveness
 * locks are gone (apps/api/src/jobs/worker-liveness.ts) and runs them: every event's mail
 * arrives exactly once and the queue ends empty.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHolders, createServerKey, grantCredits, signInAdmin } from '../src/accounts';
import { callProcedure } from '../src/client';
import { emptyFigures, writeFigures } from '../src/figures';
import { type Stack, startStack } from '../src/stack';
import { untilTrue } from '../src/until';

const EVENTS = 10;
const KILLS = 2;
/** CREDITS_LOW_THRESHOLD's default: a debit ending below it queues the mail. */
const THRESHOLD = 100;

const figures = emptyFigures();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ apis: 1, worker: true, smtpAcceptDelayMs: 800 });
});

afterAll(async () => {
  await writeFigures(inject('figuresDir'), 'worker-kill9.mid-job', figures);
  await stack?.stop();
});

describe('kill -9 of the worker mid-job', () => {
  it('retries the jobs the killed worker held, and every event’s mail arrives exactly once', async () => {
    const [api] = stack.apis;
    const { worker, smtp } = stack;
    if (!api || !worker || !smtp) throw new Error('an API, the worker and SMTP were expected');
    const admin = await signInAdmin(api.url, stack.database.pool);
    await untilTrue(async () => smtp.count(admin.email) === 1, 20_000, 'the first mail');
    const serverKey = await createServerKey(api.url, admin.token);
    const holders = await createHolders(stack.database.pool, EVENTS, 'low');
    for (const holder of holders) {
      await grantCredits(api.url, admin.token, holder.id, THRESHOLD + 50);
      const debit = await callProcedure(api.url, 'credits.debit', {
        mutation: true,
        token: serverKey,
        input: { userId: holder.id, amount: 100, idempotencyKey: `low-${randomUUID()}` },
        timeoutMs: 10_000,
      });
      figures.requests += 2;
      expect(debit).toMatchObject({ kind: 'answer', status: 200 });
    }

    for (let kill = 0; kill < KILLS; kill++) {
      await untilTrue(
        async () => smtp.inFlight() > 0,
        30_000,
        `a mail in flight (kill ${kill + 1})`,
      );
      await worker.kill9();
      figures.faults += 1;
      await worker.start();
    }

    const delivered = () => holders.every((holder) => smtp.count(holder.email) >= 1);
    await untilTrue(async () => delivered(), 40_000, `every event's mail: ${worker.diagnosis()}`);
    // Anything sent twice would arrive within this pause.
    await sleep(1_500);

    expect(holders.map((holder) => smtp.count(holder.email))).toEqual(holders.map(() => 1));
    // The kills hit sends in flight, which the server never accepted.
    expect(smtp.discarded()).toBeGreaterThanOrEqual(KILLS);
    const { rows } = await stack.database.pool.query<{ left: number }>(
      'select count(*)::int as left from graphile_worker._private_jobs',
    );
    expect(rows[0]?.left).toBe(0);
    figures.invariants += 2;
  });
});
