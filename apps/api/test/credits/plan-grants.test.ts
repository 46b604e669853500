import { describe, expect, it } from 'vitest';
import { signUpCustomer, subscribe } from '../billing/journey-testing';
import { createPacksApp, entriesOf, expectLedgerHolds, postSigned } from './packs-testing';

const DAY = 86_400;

describe("a plan's monthly credits: granted on invoice.paid, once per invoice", () => {
  it('grants them on the first invoice and again on each renewal, with webhooks duplicated and out of order', async () => {
    const j = await createPacksApp();
    j.emulator.webhooks.setSwitches({ duplicate: true, outOfOrder: true });
    await j.t.deps.db
      .updateTable('plans')
      .set({ monthly_credits: 300 })
      .where('code', '=', 'starter')
      .execute();
    const customer = await signUpCustomer(j.t);
    const userId = customer.account.user.id;

    await subscribe(customer.client, 'starter');
    await j.settle();
    await j.advance(31 * DAY);

    const invoices = await j.t.deps.db
      .selectFrom('invoices')
      .select(['id', 'status'])
      .where('user_id', '=', userId)
      .orderBy('stripe_created')
      .execute();
    expect(invoices.map((invoice) => invoice.status)).toEqual(['paid', 'paid']);
    const entries = await entriesOf(j.t, userId);
    expect(
      entries.map((entry) => [entry.kind, entry.delta, entry.balance_after, entry.source_ref]),
    ).toEqual([
      ['plan_grant', 300, 300, invoices[0]?.id],
      ['plan_grant', 300, 600, invoices[1]?.id],
    ]);
    await expectLedgerHolds(j.t);
  });

  it('a replayed invoice.paid grants nothing more, and a plan without monthly credits grants none', async () => {
    const j = await createPacksApp();
    await j.t.deps.db
      .updateTable('plans')
      .set({ monthly_credits: 300 })
      .where('code', '=', 'starter')
      .execute();
    const granted = await signUpCustomer(j.t);
    const plain = await signUpCustomer(j.t);
    await subscribe(granted.client, 'starter');
    await subscribe(plain.client, 'team');
    await j.settle();

    for (const event of (await j.stripe.events.list({ type: 'invoice.paid' })).data) {
      const response = await postSigned(j, { ...event, id: `${event.id}replay` });
      expect(response.status).toBe(200);
    }

    expect((await entriesOf(j.t, granted.account.user.id)).map((entry) => entry.delta)).toEqual([
      300,
    ]);
    expect(await entriesOf(j.t, plain.account.user.id)).toEqual([]);
    await expectLedgerHolds(j.t);
  });
});
