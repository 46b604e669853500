// Invoice items in Stripe's shape (`invoiceitem`): a one-off charge (or credit) for a customer
// that waits, `invoice: null`, until the next invoice that sweeps it in — the customer's next
// subscription invoice, or only the named subscription's when `subscription` is set.
import type Stripe from 'stripe';
import { newId } from '../ids.ts';
import { decimal } from './subscription.ts';

export interface InvoiceItemFields {
  customer: string;
  amount: number;
  currency: string;
  description: string | null;
  quantity: number;
  /** Set when the item was priced per unit (`unit_amount_decimal`); null for a bare `amount`. */
  unitAmountDecimal: Stripe.Decimal | null;
  subscription: string | null;
  period: { start: number; end: number };
  discountable: boolean;
  metadata: Record<string, string>;
}

export function buildInvoiceItem(now: number, fields: InvoiceItemFields): Stripe.InvoiceItem {
  return {
    id: newId('invoiceItem'),
    object: 'invoiceitem',
    amount: fields.amount,
    currency: fields.currency,
    customer: fields.customer,
    customer_account: null,
    date: now,
    description: fields.description,
    discountable: fields.discountable,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: fields.metadata,
    net_amount: fields.amount,
    parent: fields.subscription
      ? {
          type: 'subscription_details',
          subscription_details: { subscription: fields.subscription },
        }
      : null,
    period: fields.period,
    pricing: { type: 'price_details', unit_amount_decimal: fields.unitAmountDecimal },
    proration: false,
    quantity: fields.quantity,
    quantity_decimal: decimal(fields.quantity),
    tax_rates: [],
    test_clock: null,
  };
}

/** The subscription an item is reserved for, if any. */
export function itemSubscription(item: Stripe.InvoiceItem): string | null {
  return item.parent?.subscription_details?.subscription ?? null;
}
