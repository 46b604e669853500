/**
 * PostgreSQL restarted mid-load, at process level (issue 10): two API processes and the
 * worker run on one embedded cluster while 20 clients debit; the cluster is stopped (fast
 * shutdown: sessions end with 57P01, new connections are refused) for 3 s and started again.
 * While it is down every answer is a quick 503 SERVICE_UNAVAILABLE (no hang past the connect
 * bound) and /healthz says the database is down; within 5 s of its return both APIs debit
 * again and the worker sends the mail of a job queued after the return (straight into the
 * queue, so no password hashing sits in the bound), none of them restarted. Afterwards every acknowledged debit is in the ledger and the ledger adds up.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHolders, createServerKey, grantCredits, signInAdmin } from '../src/accounts';
import { callProcedure, callRoute, type Outcome } from '../src/client';
import { emptyFigures, writeFigures } from '../src/figures';
import { enqueueDirectly } from '../src/jobs';
import { checkMoney, NO_FINDINGS } from '../src/money-checks';
import { CONNECT_TIMEOUT_MS, type Stack, startStack } from '../src/stack';
import { untilTrue } from '../src/until';

/** Two shared cores: what a bounded answer may take beyond its timeout. */
const SCHEDULING_SLACK_MS = 2_000;
const DOWN_BOUND_MS = CONNECT_TIMEOUT_MS + SCHEDULING_SLACK_MS;
/** The promise: every process serves again within 5 s of the database's return. */
const RECOVERY_BOUND_MS = 5_000;
const DOWNTIME_MS = 3_000;
const CLIENTS = 20;

type Phase = 'up' | 'down' | 'back';

const figures = emptyFigures();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ apis: 2, worker: true });
});

afterAll(async () => {
  await writeFigures(inject('figuresDir'), 'database-restart.mid-load', figures);
  await stack?.stop();
});

describe('PostgreSQL restarted mid-load', () => {
  it('answers a quick 503 SERVICE_UNAVAILABLE while it is down, /healthz reports it, and both APIs and the worker serve again within 5 s of its return without a restart', async () => {
    const apis = stack.apis;
    const smtp = stack.smtp;
    if (!smtp) throw new Error('the worker scenario needs the SMTP server');
    const first = apis[0]?.url ?? '';
    const admin = await signInAdmin(first, stack.database.pool);
    // The worker is up: the admin's verification mail arrives.
    await untilTrue(async () => smtp.count(admin.email) === 1, 20_000, 'the first mail');
    const serverKey = await createServerKey(first, admin.token);
    const [holder] = await createHolders(stack.database.pool, 1, 'restart');
    if (!holder) throw new Error('no holder');
    // Well above the low-balance threshold: no debit here queues a mail of its own.
    await grantCredits(first, admin.token, holder.id, 100_000);

    let phase: Phase = 'up';
    let loading = true;
    const run = randomUUID().slice(0, 8);
    const sent: string[] = [];
    const acknowledged: string[] = [];
    const downAnswers: Outcome[] = [];
    const load = Array.from({ length: CLIENTS }, async (_, lane) => {
      for (let n = 0; loading; n++) {
        const key = `restart-${run}-${lane}-${n}`;
        const url = apis[lane % apis.length]?.url ?? '';
        const startedIn = phase;
        sent.push(key);
        const outcome = await callProcedure(url, 'credits.debit', {
          mutation: true,
          token: serverKey,
          input: { userId: holder.id, amount: 1, idempotencyKey: key },
          timeoutMs: 15_000,
        });
        figures.requests += 1;
        if (outcome.kind === 'answer' && outcome.status === 200) acknowledged.push(key);
        if (startedIn === 'down' && phase === 'down') downAnswers.push(outcome);
        // Clients back off a little on an outage answer, as the Retry-After asks.
        if (outcome.kind !== 'answer' || outcome.status !== 200) await sleep(100);
      }
    });

    await sleep(1_000);
    await stack.database.cluster.shutDown();
    figures.faults += 1;
    phase = 'down';
    const downStarted = performance.now();
    const probes: Array<{ api: string; healthz: Outcome; balance: Outcome }> = [];
    while (performance.now() - downStarted < DOWNTIME_MS) {
      for (const api of apis) {
        probes.push({
          api: api.name,
          healthz: await callRoute(`${api.url}/healthz`, {}, DOWN_BOUND_MS + 5_000),
          balance: await callProcedure(api.url, 'credits.balance', {
            token: serverKey,
            input: { userId: holder.id },
            timeoutMs: DOWN_BOUND_MS + 5_000,
          }),
        });
        figures.requests += 2;
      }
    }

    await stack.database.cluster.startUp();
    phase = 'back';
    const back = performance.now();
    const recovery = await Promise.all([
      ...apis.map((api) =>
        untilTrue(
          async () => {
            const key = `back-${randomUUID()}`;
            sent.push(key);
            const answer = await callProcedure(api.url, 'credits.debit', {
              mutation: true,
              token: serverKey,
              input: { userId: holder.id, amount: 1, idempotencyKey: key },
              timeoutMs: RECOVERY_BOUND_MS,
            });
            figures.requests += 1;
            const ok = answer.kind === 'answer' && answer.status === 200;
            if (ok) acknowledged.push(key);
            return ok;
          },
          RECOVERY_BOUND_MS,
          `${api.name} debiting after the restart`,
        ),
      ),
      (async () => {
        // A job queued after the return (the holder's low-balance mail), sent by the worker.
        await untilTrue(
          async () => {
            await enqueueDirectly(stack.database.url, 'send_credits_low_mail', {
              userId: holder.id,
              balance: 1,
              threshold: 100,
            });
            return true;
          },
          RECOVERY_BOUND_MS,
          'queueing a job after the restart',
        );
        await untilTrue(
          async () => smtp.count(holder.email) === 1,
          RECOVERY_BOUND_MS,
          'the worker mailing a job queued after the restart',
        );
      })(),
    ]);
    const recoveredWithinMs = performance.now() - back;
    loading = false;
    await Promise.all(load);

    expect(recovery).toHaveLength(apis.length + 1);
    expect(recoveredWithinMs, stack.diagnosis()).toBeLessThan(RECOVERY_BOUND_MS);
    expect(apis.every((api) => api.running)).toBe(true);
    expect(stack.worker?.running).toBe(true);

    // While it was down: quick, clean outage answers only, from both processes.
    expect(downAnswers.length).toBeGreaterThan(0);
    const unclean = downAnswers.filter(
      (answer) =>
        answer.kind !== 'answer' ||
        answer.status !== 503 ||
        answer.appCode !== 'SERVICE_UNAVAILABLE' ||
        answer.ms > DOWN_BOUND_MS,
    );
    expect(unclean).toEqual([]);
    expect(probes.length).toBeGreaterThanOrEqual(apis.length);
    for (const probe of probes) {
      expect(probe.healthz).toMatchObject({
        kind: 'answer',
        status: 503,
        data: { status: 'unavailable', database: { status: 'down' } },
      });
      expect(probe.balance).toMatchObject({
        kind: 'answer',
        status: 503,
        appCode: 'SERVICE_UNAVAILABLE',
      });
      expect(Math.max(probe.healthz.ms, probe.balance.ms)).toBeLessThan(DOWN_BOUND_MS);
    }

    expect(
      await checkMoney(stack.database.pool, { userIds: [holder.id], sent, acknowledged }, figures),
    ).toEqual(NO_FINDINGS);
    console.log(
      `database restart: ${sent.length} debits under load, ${acknowledged.length} acknowledged, ${downAnswers.length} answered while down, every process back ${Math.round(recoveredWithinMs)} ms after the return`,
    );
  });
});
