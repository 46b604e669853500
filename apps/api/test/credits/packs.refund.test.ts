import { describe, expect, it } from 'vitest';
import { signInAdmin } from '../billing/billing-testing';
import { signUpCustomer } from '../billing/journey-testing';
import { buyPack, createPacksApp, entriesOf, expectLedgerHolds, postSigned } from './packs-testing';

describe('credit packs: a refund reverses the refunded share of the credits, never below zero', () => {
  it('a full refund takes the whole pack back', async () => {
    const j = await createPacksApp();
    const customer = await signUpCustomer(j.t);
    const userId = customer.account.user.id;
    const { chargeId } = await buyPack(j, customer, 'credits_1000');

    await j.stripe.refunds.create({ charge: chargeId });
    await j.settle();

    const entries = await entriesOf(j.t, userId);
    expect(entries.map((entry) => [entry.kind, entry.delta, entry.balance_after])).toEqual([
      ['purchase', 1_000, 1_000],
      ['reversal', -1_000, 0],
    ]);
    expect(entries[1]?.source_ref).toBe(`${chargeId}:1000`);
    await expectLedgerHolds(j.t);
  });

  it('partial refunds each reverse their own share once, also when the event is duplicated or replayed', async () => {
    const j = await createPacksApp();
    j.emulator.webhooks.setSwitches({ duplicate: true, outOfOrder: true });
    const customer = await signUpCustomer(j.t);
    const userId = customer.account.user.id;
    // 5,000 credits for $45.00: $9.00 back is a fifth of them.
    const { chargeId } = await buyPack(j, customer, 'credits_5000');

    await j.stripe.refunds.create({ charge: chargeId, amount: 900 });
    await j.settle();
    await j.stripe.refunds.create({ charge: chargeId, amount: 450 });
    await j.settle();
    // A reconciliation-style replay of every charge.refunded under new ids changes nothing.
    for (const event of (await j.stripe.events.list({ type: 'charge.refunded' })).data) {
      const response = await postSigned(j, { ...event, id: `${event.id}x` });
      expect(response.status).toBe(200);
    }

    const entries = await entriesOf(j.t, userId);
    expect(entries.map((entry) => [entry.kind, entry.delta, entry.balance_after])).toEqual([
      ['purchase', 5_000, 5_000],
      ['reversal', -1_000, 4_000],
      ['reversal', -500, 3_500],
    ]);
    expect(await customer.client.credits.balance.query()).toMatchObject({ balance: 3_500 });
    await expectLedgerHolds(j.t);
  });

  it('a refund after the credits were spent reverses what is left and records the rest as a shortfall', async () => {
    const j = await createPacksApp();
    const customer = await signUpCustomer(j.t);
    const userId = customer.account.user.id;
    const { sessionId, chargeId } = await buyPack(j, customer, 'credits_1000');
    await customer.client.credits.debit.mutate({ amount: 800, idempotencyKey: 'spend-800' });

    await j.stripe.refunds.create({ charge: chargeId });
    await j.settle();

    const entries = await entriesOf(j.t, userId);
    expect(entries.map((entry) => [entry.kind, entry.delta, entry.balance_after])).toEqual([
      ['purchase', 1_000, 1_000],
      ['debit', -800, 200],
      ['reversal', -200, 0],
    ]);
    expect(entries[2]?.metadata).toMatchObject({ shortfall: 800, checkoutSession: sessionId });
    const purchase = await j.t.deps.db
      .selectFrom('credit_pack_purchases')
      .select(['refunded_amount', 'reversed_credits', 'shortfall'])
      .where('checkout_session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(purchase).toEqual({ refunded_amount: 1_000, reversed_credits: 200, shortfall: 800 });
    const audited = await j.t.deps.db
      .selectFrom('audit_log')
      .select(['user_id', 'metadata'])
      .where('event_type', '=', 'credits.reversal_shortfall')
      .execute();
    expect(audited).toEqual([
      {
        user_id: userId,
        metadata: expect.objectContaining({ shortfall: 800, checkoutSession: sessionId }),
      },
    ]);
    const { client: admin } = await signInAdmin(j.t);
    expect(await admin.admin.credits.shortfalls.query()).toEqual([
      expect.objectContaining({
        userId,
        checkoutSessionId: sessionId,
        pack: 'credits_1000',
        refundedCents: 1_000,
        reversedCredits: 200,
        shortfall: 800,
      }),
    ]);
    expect(await customer.client.credits.balance.query()).toMatchObject({ balance: 0 });
    await expectLedgerHolds(j.t);
  });

  it('a refund applied before its purchase was credited is reversed when the purchase is', async () => {
    // No endpoint: the events are applied by hand, the refund's first (as a late or
    // reconciled checkout.session.completed would be).
    const j = await createPacksApp({ webhooks: false });
    const customer = await signUpCustomer(j.t);
    const userId = customer.account.user.id;
    const { sessionId, chargeId } = await buyPack(j, customer, 'credits_1000');
    await j.stripe.refunds.create({ charge: chargeId, amount: 250 });
    const [refunded] = (await j.stripe.events.list({ type: 'charge.refunded' })).data;
    const [completed] = (await j.stripe.events.list({ type: 'checkout.session.completed' })).data;
    if (!refunded || !completed) throw new Error('the emulator sent no events');

    expect((await postSigned(j, refunded)).status).toBe(200);
    expect(await entriesOf(j.t, userId)).toEqual([]);
    expect((await postSigned(j, completed)).status).toBe(200);
    expect((await postSigned(j, refunded)).status).toBe(200);

    const entries = await entriesOf(j.t, userId);
    expect(
      entries.map((entry) => [entry.kind, entry.delta, entry.balance_after, entry.source_ref]),
    ).toEqual([
      ['purchase', 1_000, 1_000, sessionId],
      ['reversal', -250, 750, `${chargeId}:250`],
    ]);
    await expectLedgerHolds(j.t);
  });
});
