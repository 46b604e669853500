import { describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../../src/api-keys/api-keys.schemas';
import { seedOperationTypes } from '../../src/usage/operation-types';
import { createKey, grant, keyClient } from '../credits/credits-testing';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';
import { signInAdmin } from './billing-testing';
import { createJourneyApp, JOURNEY_START, signUpCustomer, subscribe } from './journey-testing';

const DAY_SECONDS = 86_400;
/** The journey starts on Mar 1 12:00 UTC: a monthly subscription's period ends Apr 1 12:00. */
const PERIOD = { start: JOURNEY_START.toISOString(), end: '2026-04-01T12:00:00.000Z' };

/** A subscriber of `plan` (webhooks applied), an admin, and a server key acting for them. */
async function subscriber(plan: string, scopes: ApiKeyScope[] = ['usage:write', 'billing:read']) {
  const j = await createJourneyApp({ webhooks: true });
  await seedOperationTypes(j.t.deps.db);
  const customer = await signUpCustomer(j.t);
  await subscribe(customer.client, plan);
  await j.settle();
  const { client: admin } = await signInAdmin(j.t);
  const { key } = await createKey(admin, scopes);
  return { j, ...customer, userId: customer.account.user.id, admin, server: keyClient(j.t, key) };
}

type Server = Awaited<ReturnType<typeof subscriber>>['server'];

async function record(server: Server, userId: string, quantity: number, idempotencyKey: string) {
  return server.usage.record.mutate({
    userId,
    operation: 'workflow_generation', // 5 credits each
    quantity,
    idempotencyKey,
  });
}

describe('billing.summary', () => {
  it('for a free user: the free plan, the calendar month, no overage price and no invoice', async () => {
    const t = await createTestApp();
    const user = await registerAccount(t);
    const { client: admin } = await signInAdmin(t);
    await grant(admin, user.user.id, 40);
    const now = t.clock.now();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));

    const summary = await t.client({ accessToken: user.accessToken }).billing.summary.query();

    expect(summary).toEqual({
      userId: user.user.id,
      plan: { code: 'free', name: 'Free', level: 'free', status: null },
      operations: {
        included: 0,
        used: 0,
        remaining: 0,
        period: { start: monthStart.toISOString(), end: monthEnd.toISOString() },
      },
      overage: {
        operations: 0,
        unitPriceCents: null,
        costCents: null,
        paidWithCredits: { operations: 0, credits: 0 },
        billedCents: 0,
      },
      creditBalance: 40,
      nextInvoice: null,
    });
  });

  it('for a subscriber mid-period within the allowance: the subscription period, operations used, the renewal at its price', async () => {
    const { j, client, userId, server } = await subscriber('starter');
    await j.advance(10 * DAY_SECONDS);
    await record(server, userId, 3, 'mid-1');
    await record(server, userId, 4, 'mid-2');

    const summary = await client.billing.summary.query();

    expect(summary).toMatchObject({
      plan: { code: 'starter', level: 'premium', status: 'active' },
      operations: { included: 100, used: 7, remaining: 93, period: PERIOD },
      overage: {
        operations: 0,
        unitPriceCents: 8,
        costCents: 0,
        paidWithCredits: { operations: 0, credits: 0 },
        billedCents: 0,
      },
      creditBalance: 0,
      nextInvoice: {
        date: PERIOD.end,
        currency: 'usd',
        plan: { code: 'starter', name: 'Starter' },
        priceCents: 2_900,
        overageCents: 0,
        estimatedCents: 2_900,
      },
    });
  });

  it('past the allowance with credits: the overage operations, their cost at the overage price, and what credits paid', async () => {
    const { j, client, userId, admin, server } = await subscriber('starter');
    await j.t.deps.db
      .updateTable('plans')
      .set({ included_operations: 2 })
      .where('code', '=', 'starter')
      .execute();
    await grant(admin, userId, 100);
    await record(server, userId, 1, 'over-1');
    // One included operation left: this takes it and pays 3 × 5 credits for the rest.
    await record(server, userId, 4, 'over-2');

    const summary = await client.billing.summary.query();

    expect(summary).toMatchObject({
      operations: { included: 2, used: 2, remaining: 0, period: PERIOD },
      overage: {
        operations: 3,
        unitPriceCents: 8,
        costCents: 24,
        paidWithCredits: { operations: 3, credits: 15 },
        billedCents: 0,
      },
      creditBalance: 85,
      // Credits settled the overage: nothing of it is left for the invoice.
      nextInvoice: { priceCents: 2_900, overageCents: 0, estimatedCents: 2_900 },
    });
  });

  it('past the allowance on a plan that bills overage on the invoice: the overage as priced when recorded, added to the estimate', async () => {
    const { j, client, userId, admin, server } = await subscriber('starter');
    await admin.billing.plans.update.mutate({
      code: 'starter',
      includedOperations: 2,
      overageMode: 'invoice',
    });
    await j.settle();
    await record(server, userId, 1, 'inv-1');
    // One included operation left: this takes it and bills the other 3 at $0.08.
    await record(server, userId, 4, 'inv-2');
    // A later price change does not reprice what was already recorded.
    await j.t.deps.db
      .updateTable('plans')
      .set({ overage_price_cents: 50 })
      .where('code', '=', 'starter')
      .execute();

    const summary = await client.billing.summary.query();

    expect(summary).toMatchObject({
      operations: { included: 2, used: 2, remaining: 0, period: PERIOD },
      overage: {
        operations: 3,
        paidWithCredits: { operations: 0, credits: 0 },
        billedCents: 24,
      },
      creditBalance: 0,
      nextInvoice: { priceCents: 2_900, overageCents: 24, estimatedCents: 2_924 },
    });
  });

  it('with a downgrade scheduled: the next invoice bills the new plan at the period end', async () => {
    const { j, client } = await subscriber('team');
    await j.advance(5 * DAY_SECONDS);
    await client.billing.subscription.change.mutate({ plan: 'starter' });
    await j.settle();

    const summary = await client.billing.summary.query();

    expect(summary.plan).toMatchObject({ code: 'team', level: 'premium' });
    expect(summary.operations.included).toBe(500);
    expect(summary.nextInvoice).toEqual({
      date: PERIOD.end,
      currency: 'usd',
      plan: { code: 'starter', name: 'Starter' },
      priceCents: 2_900,
      overageCents: 0,
      estimatedCents: 2_900,
    });
  });

  it('with a cancel scheduled: access until the end, and no invoice due', async () => {
    const { j, client } = await subscriber('team');
    await client.billing.subscription.cancel.mutate();
    await j.settle();

    const summary = await client.billing.summary.query();

    expect(summary.plan).toMatchObject({ code: 'team', level: 'premium', status: 'active' });
    expect(summary.operations).toMatchObject({ included: 500, period: PERIOD });
    expect(summary.nextInvoice).toBeNull();
  });

  it('answers a server key with billing:read naming the user, as the user sees it', async () => {
    const { client, userId, server } = await subscriber('starter');
    await record(server, userId, 2, 'key-1');

    const byKey = await server.billing.summary.query({ userId });

    expect(byKey).toEqual(await client.billing.summary.query());
    expect(byKey.operations.used).toBe(2);
  });
});

describe('billing.summary refuses', () => {
  it('a server key without billing:read, with 403 INSUFFICIENT_SCOPE', async () => {
    const t = await createTestApp();
    const user = await registerAccount(t);
    const { client: admin } = await signInAdmin(t);
    const { key } = await createKey(admin, ['usage:write', 'credits:read']);

    const refused = await failure(
      keyClient(t, key).billing.summary.query({ userId: user.user.id }),
    );

    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      appCode: 'INSUFFICIENT_SCOPE',
      httpStatus: 403,
    });
  });

  it("a user asking for someone else's summary, with 403", async () => {
    const t = await createTestApp();
    const user = await registerAccount(t);
    const other = await registerAccount(t);

    const refused = await failure(
      t
        .client({ accessToken: user.accessToken, batch: false })
        .billing.summary.query({ userId: other.user.id }),
    );

    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      data: { fieldErrors: { userId: [expect.any(String)] } },
    });
  });

  it('an anonymous caller, with 401', async () => {
    const t = await createTestApp();

    const refused = await failure(t.client({ batch: false }).billing.summary.query());

    expect(refused).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
  });
});
