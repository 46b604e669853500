import { describe, expect, it } from 'vitest';
import { failure } from '../support/accounts';
import { createJourneyApp, customerIdOf, signUpCustomer, subscribe } from './journey-testing';

const DAY_SECONDS = 86_400;

/** A Starter subscriber who has been renewed twice: three paid invoices. */
async function renewedTwice() {
  const j = await createJourneyApp({ webhooks: true });
  const { account, client } = await signUpCustomer(j.t);
  await subscribe(client, 'starter');
  await j.settle();
  await j.advance(31 * DAY_SECONDS + 60);
  await j.advance(30 * DAY_SECONDS + 60);
  const customer = await customerIdOf(j.t, account.user.id);
  return { j, client, customer };
}

describe('billing.invoices.list', () => {
  it("pages through the user's invoices newest first, from the mirror, with Stripe's links", async () => {
    const { j, client, customer } = await renewedTwice();
    const inStripe = (await j.stripe.invoices.list({ customer })).data;

    const first = await client.billing.invoices.list.query({ limit: 2 });
    const second = await client.billing.invoices.list.query({
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });

    expect(inStripe).toHaveLength(3);
    expect([...first.items, ...second.items].map((invoice) => invoice.id)).toEqual(
      inStripe.map((invoice) => invoice.id),
    );
    expect(second.nextCursor).toBeNull();
    const newest = inStripe[0];
    expect(first.items[0]).toEqual({
      id: newest?.id,
      number: newest?.number,
      status: 'paid',
      currency: 'usd',
      subtotalCents: 2_900,
      totalCents: 2_900,
      amountDueCents: 2_900,
      amountPaidCents: 2_900,
      amountRemainingCents: 0,
      billingReason: 'subscription_cycle',
      period: { start: expect.any(String), end: expect.any(String) },
      hostedInvoiceUrl: newest?.hosted_invoice_url,
      invoicePdfUrl: newest?.invoice_pdf ?? null,
      createdAt: new Date((newest?.created ?? 0) * 1000).toISOString(),
      paidAt: expect.any(String),
    });
  });

  it('shows another user none of them', async () => {
    const { j } = await renewedTwice();
    const { client: stranger } = await signUpCustomer(j.t);

    expect(await stranger.billing.invoices.list.query()).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['a cursor that is not one', { cursor: 'not-a-cursor' }, 'cursor'],
    ['a limit above 100', { limit: 101 }, 'limit'],
    ['a limit of 0', { limit: 0 }, 'limit'],
  ])('refuses %s with a field error', async (_label, input, field) => {
    const j = await createJourneyApp();
    const { client } = await signUpCustomer(j.t);

    const refused = await failure(client.billing.invoices.list.query(input));

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(Object.keys(refused.data.fieldErrors ?? {})).toEqual([field]);
  });
});

describe('billing.history', () => {
  it('lists paid invoices, a failed payment and a refund as one list, newest first, paged', async () => {
    const { j, client, customer } = await renewedTwice();
    const [latest] = (await j.stripe.invoices.list({ customer, limit: 1 })).data;
    const [charge] = (await j.stripe.charges.list({ customer, limit: 1 })).data;
    if (!latest || !charge) throw new Error('nothing billed');
    await j.stripe.refunds.create({ charge: charge.id, amount: 900 });
    await j.settle();
    j.emulator.attachDecliningCard(customer);
    await j.advance(31 * DAY_SECONDS + 60);

    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await client.billing.history.query({ limit: 2, cursor });
      pages.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(pages.map((entry) => [entry.kind, entry.amountCents])).toEqual([
      ['invoice_payment_failed', 2_900],
      ['refund', 900],
      ['invoice_paid', 2_900],
      ['invoice_paid', 2_900],
      ['invoice_paid', 2_900],
    ]);
    expect(pages[0]).toMatchObject({ hostedUrl: expect.stringContaining('/i/') });
    expect(pages[1]).toMatchObject({ id: expect.stringMatching(/^re_/), currency: 'usd' });
    expect(pages[2]).toMatchObject({ id: latest.id, invoiceNumber: latest.number });
    const times = pages.map((entry) => entry.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);
  });
});
