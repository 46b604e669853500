// The invoice lifecycle Stripe runs for subscriptions: create (draft, `invoice.created`) →
// finalize (open, numbered, hosted URL, `invoice.finalized`) → collect (charge the default
// card: `invoice.paid` + `invoice.payment_succeeded`, or `invoice.payment_failed` with the next
// retry from the dunning schedule). Stripe waits about an hour between creation and
// finalization of renewal invoices; the emulator does both at once, which no integration can
// rely on either way.
import type Stripe from 'stripe';
import { SECONDS_PER_DAY } from '../clock.ts';
import type { EmulatorContext } from '../context.ts';
import { buildInvoice, type EmulatedInvoice, type InvoiceFields } from '../objects/invoice.ts';
import type { EmulatedPaymentMethod } from '../objects/payments.ts';
import { attachItems, lineFromItem, pendingItemsFor } from './invoice-items.ts';
import { idOf } from './lookup.ts';
import { chargeCard } from './payments.ts';

export function formatAmount(amount: number, currency: string): string {
  const sign = amount < 0 ? '-' : '';
  const symbol =
    currency === 'usd' ? '$' : currency === 'eur' ? '€' : currency === 'gbp' ? '£' : '';
  const units = (Math.abs(amount) / 100).toFixed(2);
  return symbol ? `${sign}${symbol}${units}` : `${sign}${units} ${currency.toUpperCase()}`;
}

/** Stripe's line description: "1 × Pro (at $20.00 / month)". */
export function describeItem(price: Stripe.Price, productName: string, quantity: number): string {
  const amount = formatAmount(price.unit_amount ?? 0, price.currency);
  const recurring = price.recurring;
  if (!recurring) return `${quantity} × ${productName}`;
  const every =
    recurring.interval_count === 1
      ? recurring.interval
      : `every ${recurring.interval_count} ${recurring.interval}s`;
  return `${quantity} × ${productName} (at ${amount} / ${every})`;
}

export function productName(ctx: EmulatorContext, price: Stripe.Price): string {
  return ctx.store.products.get(idOf(price.product))?.name ?? 'Product';
}

/**
 * Stores a draft without announcing it, so the subscription that owns it can point
 * `latest_invoice` at it before `customer.subscription.created` goes out, as Stripe's does.
 * The customer's pending invoice items are swept in first (billing/invoice-items).
 */
export function draftInvoice(ctx: EmulatorContext, fields: InvoiceFields): EmulatedInvoice {
  const items = pendingItemsFor(ctx, {
    customer: fields.customer.id,
    subscription: fields.subscription?.id ?? null,
    currency: fields.currency,
  });
  const invoice = buildInvoice(ctx.clock.now(), {
    ...fields,
    lines: [...items.map(lineFromItem), ...fields.lines],
  });
  attachItems(items, invoice);
  ctx.store.invoices.set(invoice.id, invoice);
  return invoice;
}

/** Announces the draft, then finalizes it: numbered, hosted, customer balance applied. */
export function finalizeInvoice(ctx: EmulatorContext, invoice: EmulatedInvoice): void {
  const now = ctx.clock.now();
  ctx.events.emit('invoice.created', invoice);
  const customer = invoice.customer ? ctx.store.customers.get(idOf(invoice.customer)) : undefined;
  if (customer) {
    const sequence = customer.next_invoice_sequence;
    invoice.number = `${customer.invoice_prefix}-${String(sequence).padStart(4, '0')}`;
    customer.next_invoice_sequence = sequence + 1;
  }
  invoice.status = 'open';
  invoice.hosted_invoice_url = `${ctx.settings.publicUrl}/i/${invoice.id}`;
  invoice.invoice_pdf = `${ctx.settings.publicUrl}/i/${invoice.id}?format=pdf`;
  invoice.status_transitions.finalized_at = now;
  invoice.effective_at = now;
  // A negative balance is credit: it pays the invoice first, and what is left carries over.
  const endingBalance = Math.min(0, invoice.total + invoice.starting_balance);
  invoice.ending_balance = endingBalance;
  if (customer && customer.balance !== endingBalance) {
    const previous = { balance: customer.balance };
    customer.balance = endingBalance;
    ctx.events.emit('customer.updated', customer, previous);
  }
  ctx.events.emit('invoice.finalized', invoice);
}

export type CollectionOutcome = { paid: true } | { paid: false; retriesExhausted: boolean };

/** The card Stripe would charge: the invoice's, else the subscription's, else the customer's. */
export function paymentMethodFor(
  ctx: EmulatorContext,
  invoice: EmulatedInvoice,
): EmulatedPaymentMethod | undefined {
  const subscription = invoice.subscription
    ? ctx.store.subscriptions.get(idOf(invoice.subscription))
    : undefined;
  const customer = invoice.customer ? ctx.store.customers.get(idOf(invoice.customer)) : undefined;
  const candidate =
    invoice.default_payment_method ??
    subscription?.default_payment_method ??
    customer?.invoice_settings.default_payment_method ??
    null;
  if (candidate === null) return undefined;
  return ctx.store.paymentMethods.get(idOf(candidate));
}

export function collectInvoice(ctx: EmulatorContext, invoice: EmulatedInvoice): CollectionOutcome {
  const now = ctx.clock.now();
  if (invoice.amount_due === 0) {
    markPaid(ctx, invoice, now);
    return { paid: true };
  }
  const method = paymentMethodFor(ctx, invoice);
  invoice.attempt_count += 1;
  invoice.attempted = true;
  const outcome = method
    ? chargeCard(ctx, {
        amount: invoice.amount_due,
        currency: invoice.currency,
        customer: invoice.customer ? idOf(invoice.customer) : null,
        paymentMethod: method,
        description:
          invoice.billing_reason === 'subscription_create'
            ? 'Subscription creation'
            : 'Subscription update',
        metadata: {},
      })
    : undefined;
  if (outcome && !outcome.decline) {
    markPaid(ctx, invoice, now);
    return { paid: true };
  }
  const retryDays = ctx.settings.dunning.retryDays[invoice.attempt_count - 1];
  invoice.next_payment_attempt = retryDays === undefined ? null : now + retryDays * SECONDS_PER_DAY;
  ctx.events.emit('invoice.payment_failed', invoice);
  return { paid: false, retriesExhausted: retryDays === undefined };
}

function markPaid(ctx: EmulatorContext, invoice: EmulatedInvoice, now: number): void {
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = now;
  ctx.events.emit('invoice.paid', invoice);
  ctx.events.emit('invoice.payment_succeeded', invoice);
}
