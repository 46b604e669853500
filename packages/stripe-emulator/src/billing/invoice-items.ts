// Pending invoice items joining an invoice, as Stripe sweeps them: when a subscription invoice
// is drafted (the first one, a renewal, an `always_invoice` change), every item of its customer
// that is still pending (`invoice: null`), in the invoice's currency, and either reserved for
// this subscription or for none, becomes one line of it, oldest first, and points at it from
// then on (and can no longer be deleted).
import type Stripe from 'stripe';
import type { EmulatorContext } from '../context.ts';
import type { EmulatedInvoice, LineFields } from '../objects/invoice.ts';
import { itemSubscription } from '../objects/invoice-item.ts';

export function pendingItemsFor(
  ctx: EmulatorContext,
  invoice: { customer: string; subscription: string | null; currency: string },
): Stripe.InvoiceItem[] {
  return [...ctx.store.invoiceItems.values()].filter((item) => {
    const reservedFor = itemSubscription(item);
    return (
      item.invoice === null &&
      item.customer === invoice.customer &&
      item.currency === invoice.currency &&
      (reservedFor === null || reservedFor === invoice.subscription)
    );
  });
}

export function lineFromItem(item: Stripe.InvoiceItem): LineFields {
  return {
    amount: item.amount,
    currency: item.currency,
    description: item.description ?? 'Invoice item',
    price: null,
    quantity: item.quantity,
    periodStart: item.period.start,
    periodEnd: item.period.end,
    subscription: itemSubscription(item),
    subscriptionItem: null,
    invoiceItem: {
      id: item.id,
      unitAmountDecimal: item.pricing?.unit_amount_decimal ?? null,
      metadata: item.metadata ?? {},
    },
    proration: item.proration,
  };
}

/** Marks the swept items as billed by `invoice`. */
export function attachItems(items: Stripe.InvoiceItem[], invoice: EmulatedInvoice): void {
  for (const item of items) item.invoice = invoice.id;
}
