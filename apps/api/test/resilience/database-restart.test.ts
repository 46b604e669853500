/**
 * PostgreSQL restarted under a running app (issue 10, "PostgreSQL restarted mid-load"): while
 * the database is down every route answers 503 SERVICE_UNAVAILABLE within the configured
 * connect bound, /healthz reports it, and once it is back the same app, with the same pool,
 * serves again within 5 s: no process restart, broken pooled connections replaced, the named
 * prepared statement of auth.me prepared again on the new connections.
 *
 * The database is a cluster of this file's own (resilience-testing.ts), stopped with
 * Postgres' fast shutdown: open sessions end with 57P01, new connections are refused.
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/credits/verify/verify-ledger';
import { grant, ledgerState, signInAdmin } from '../credits/credits-testing';
import { registerAccount } from '../support/accounts';
import {
  type Answer,
  CONNECT_TIMEOUT_MS,
  createResilientApp,
  expectServiceUnavailable,
  procedure,
  request,
  SCHEDULING_SLACK_MS,
  untilTrue,
} from './resilience-testing';

/** A down-time answer may take the connect timeout, and no longer (plus scheduling). */
const DOWN_BOUND_MS = CONNECT_TIMEOUT_MS + SCHEDULING_SLACK_MS;
/** The promise: every process serves again within 5 s of the database's return. */
const RECOVERY_BOUND_MS = 5_000;
/** Rounds of calls while the database is down: the first meets dead pooled connections. */
const DOWN_ROUNDS = 3;

const WEBHOOK_SECRET = 'whsec_resilience_test_secret';
const stripe = new Stripe('sk_test_resilience');

/** A signed Stripe event of a type we do not sync: the webhook only stores it, in the database. */
function webhookRequest(eventId: string): RequestInit {
  const payload = JSON.stringify({
    id: eventId,
    object: 'event',
    type: 'balance.available',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    api_version: '2026-10-28.endive',
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: { object: 'balance', available: [] } },
  });
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stripe.webhooks.generateTestHeaderString({
        payload,
        secret: WEBHOOK_SECRET,
      }),
    },
    body: payload,
  };
}

describe('PostgreSQL restarted under a running app', () => {
  it('answers 503 SERVICE_UNAVAILABLE within the connect bound while it is down, /healthz says so, and everything serves again within 5 s of its return', async () => {
    const { t, cluster } = await createResilientApp({
      env: {
        STRIPE_SECRET_KEY: 'sk_test_resilience',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        // Nothing listens here: the event type needs no call to Stripe.
        STRIPE_API_URL: 'http://127.0.0.1:9',
      },
    });
    const { client: admin } = await signInAdmin(t);
    const account = await registerAccount(t);
    await grant(admin, account.user.id, 1_000);
    const token = account.accessToken;
    let debitsAcknowledged = 0;
    const calls: Record<string, (boundMs: number) => Promise<Answer>> = {
      'auth.me': (boundMs) => procedure(t, 'auth.me', { token, boundMs }),
      'auth.login': (boundMs) =>
        procedure(t, 'auth.login', {
          mutation: true,
          input: { email: account.email, password: account.password },
          boundMs,
        }),
      'credits.debit': async (boundMs) => {
        const answer = await procedure(t, 'credits.debit', {
          mutation: true,
          token,
          input: { amount: 1, idempotencyKey: `restart-${randomUUID()}` },
          boundMs,
        });
        if (answer.status === 200) debitsAcknowledged++;
        return answer;
      },
      'credits.history': (boundMs) => procedure(t, 'credits.history', { token, boundMs }),
      'POST /webhooks/stripe': (boundMs) =>
        request(t, '/webhooks/stripe', {
          ...webhookRequest(`evt_restart${randomUUID().replaceAll('-', '')}`),
          boundMs,
        }),
    };
    // Every route works, and the pool holds open connections the shutdown will break.
    for (const [name, call] of Object.entries(calls)) {
      const answer = await call(10_000);
      expect({ name, status: answer.status }).toEqual({ name, status: 200 });
    }

    await cluster.shutDown();

    for (let round = 1; round <= DOWN_ROUNDS; round++) {
      for (const [name, call] of Object.entries(calls)) {
        const answer = await call(DOWN_BOUND_MS + 5_000);
        expect({ name, round, status: answer.status }).toEqual({ name, round, status: 503 });
        expectServiceUnavailable(answer);
        expect(answer.ms, `${name} (round ${round}) took ${Math.round(answer.ms)} ms`).toBeLessThan(
          DOWN_BOUND_MS,
        );
      }
      const health = await request(t, '/healthz', { boundMs: DOWN_BOUND_MS });
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unavailable', database: { status: 'down' } });
    }
    const warnings = t.logs.entries().filter((entry) => entry.msg === 'database unavailable');
    expect(warnings.length).toBeGreaterThanOrEqual(DOWN_ROUNDS * Object.keys(calls).length);
    // Logged as the outage it is, not as a bug with a stack.
    const bugs = t.logs
      .entries()
      .filter((entry) => /unhandled error|procedure failed/.test(String(entry.msg)));
    expect(bugs).toEqual([]);

    await cluster.startUp();
    const recoveredMs = await untilTrue(
      async () => (await request(t, '/healthz', { boundMs: RECOVERY_BOUND_MS })).status === 200,
      RECOVERY_BOUND_MS,
      '/healthz after the restart',
    );
    const back = performance.now() - recoveredMs;
    for (const [name, call] of Object.entries(calls)) {
      await untilTrue(
        async () => (await call(RECOVERY_BOUND_MS)).status === 200,
        RECOVERY_BOUND_MS,
        `${name} after the restart`,
      );
    }
    expect(performance.now() - back).toBeLessThan(RECOVERY_BOUND_MS);

    // Money after the outage: exactly the acknowledged debits, and the ledger adds up.
    expect(await ledgerState(t, account.user.id)).toMatchObject({
      balance: 1_000 - debitsAcknowledged,
      ledgerSum: 1_000 - debitsAcknowledged,
    });
    expect((await verifyLedger(t.deps)).ok).toBe(true);
  });
});
