import { describe, expect, it } from 'vitest';
import { signUpCustomer } from '../billing/journey-testing';
import { buyPack, createPacksApp, entriesOf, expectLedgerHolds, postSigned } from './packs-testing';

describe('credit packs: bought on the hosted page, credited once per checkout session', () => {
  it('lists the seeded packs to anyone, cheapest first', async () => {
    const { t } = await createPacksApp();

    const packs = await t.client().credits.packs.list.query();

    expect(packs).toEqual([
      {
        code: 'credits_1000',
        name: '1,000 credits',
        credits: 1_000,
        priceCents: 1_000,
        currency: 'usd',
      },
      {
        code: 'credits_5000',
        name: '5,000 credits',
        credits: 5_000,
        priceCents: 4_500,
        currency: 'usd',
      },
    ]);
  });

  it('opens a payment-mode checkout for the pack, naming the user, the pack and its credits', async () => {
    const { t, stripe } = await createPacksApp();
    const customer = await signUpCustomer(t);

    const checkout = await customer.client.credits.checkout.create.mutate({ pack: 'credits_5000' });

    const session = await stripe.checkout.sessions.retrieve(checkout.sessionId, {
      expand: ['line_items'],
    });
    expect(session).toMatchObject({
      mode: 'payment',
      status: 'open',
      amount_total: 4_500,
      currency: 'usd',
      client_reference_id: customer.account.user.id,
      metadata: { userId: customer.account.user.id, creditPack: 'credits_5000', credits: '5000' },
    });
    expect(session.line_items?.data.map((item) => [item.description, item.amount_total])).toEqual([
      ['5,000 credits', 4_500],
    ]);
  });

  it('refuses a pack that is not on sale and a redirect off the app, with field messages', async () => {
    const { t } = await createPacksApp();
    const { client } = await signUpCustomer(t);

    await expect(
      client.credits.checkout.create.mutate({ pack: 'credits_9999' }),
    ).rejects.toMatchObject({
      data: { appCode: 'CREDIT_PACK_NOT_FOUND', fieldErrors: { pack: [expect.any(String)] } },
    });
    await expect(
      client.credits.checkout.create.mutate({
        pack: 'credits_1000',
        successUrl: 'https://evil.test/x',
      }),
    ).rejects.toMatchObject({ data: { appCode: 'REDIRECT_NOT_ALLOWED' } });
  });

  it('credits the pack once, with webhooks duplicated and out of order, and ignores the other payment events', async () => {
    const j = await createPacksApp();
    j.emulator.webhooks.setSwitches({ duplicate: true, outOfOrder: true });
    const customer = await signUpCustomer(j.t);
    const userId = customer.account.user.id;

    const { sessionId } = await buyPack(j, customer, 'credits_1000');

    expect(await entriesOf(j.t, userId)).toEqual([
      expect.objectContaining({
        kind: 'purchase',
        delta: 1_000,
        balance_after: 1_000,
        source_ref: sessionId,
      }),
    ]);
    expect(await customer.client.credits.balance.query()).toMatchObject({ balance: 1_000 });
    const events = await j.t.deps.db
      .selectFrom('stripe_events')
      .select(['type', 'status'])
      .where('type', 'in', [
        'checkout.session.completed',
        'payment_intent.succeeded',
        'charge.succeeded',
      ])
      .orderBy('type')
      .execute();
    expect(events).toEqual([
      { type: 'charge.succeeded', status: 'ignored' },
      { type: 'checkout.session.completed', status: 'applied' },
      { type: 'payment_intent.succeeded', status: 'ignored' },
    ]);
    await expectLedgerHolds(j.t);
  });

  it('a replayed checkout.session.completed, or another event about the same session, credits nothing more', async () => {
    const j = await createPacksApp();
    const customer = await signUpCustomer(j.t);
    const userId = customer.account.user.id;
    const { sessionId } = await buyPack(j, customer, 'credits_5000');
    const [event] = (await j.stripe.events.list({ type: 'checkout.session.completed' })).data;
    if (!event) throw new Error('no checkout.session.completed');

    expect((await postSigned(j, event)).status).toBe(200);
    // The same session under a new event id: stored and applied, but the session credited before.
    expect((await postSigned(j, { ...event, id: 'evt_1ReplayedUnderANewId' })).status).toBe(200);

    const replayed = await j.t.deps.db
      .selectFrom('stripe_events')
      .select('status')
      .where('id', '=', 'evt_1ReplayedUnderANewId')
      .executeTakeFirst();
    expect(replayed).toEqual({ status: 'applied' });
    const entries = await entriesOf(j.t, userId);
    expect(entries.map((entry) => [entry.kind, entry.delta, entry.source_ref])).toEqual([
      ['purchase', 5_000, sessionId],
    ]);
    const history = await customer.client.billing.history.query();
    expect(history.items.filter((entry) => entry.kind === 'credit_pack')).toEqual([
      expect.objectContaining({ id: sessionId, amountCents: 4_500, currency: 'usd' }),
    ]);
    await expectLedgerHolds(j.t);
  });

  it('credits a session paid later (async_payment_succeeded) once, whichever of its events comes first', async () => {
    const j = await createPacksApp({ webhooks: false });
    const customer = await signUpCustomer(j.t);
    const userId = customer.account.user.id;
    const { sessionId } = await buyPack(j, customer, 'credits_1000');
    const [completed] = (await j.stripe.events.list({ type: 'checkout.session.completed' })).data;
    if (!completed) throw new Error('no checkout.session.completed');

    const paidLater = {
      ...completed,
      id: 'evt_1AsyncPaid',
      type: 'checkout.session.async_payment_succeeded',
    };
    expect((await postSigned(j, paidLater)).status).toBe(200);
    expect((await entriesOf(j.t, userId)).map((entry) => entry.source_ref)).toEqual([sessionId]);
    expect((await postSigned(j, completed)).status).toBe(200);

    const entries = await entriesOf(j.t, userId);
    expect(entries.map((entry) => [entry.kind, entry.delta, entry.source_ref])).toEqual([
      ['purchase', 1_000, sessionId],
    ]);
    await expectLedgerHolds(j.t);
  });
});
