// Invoices and their lines in Stripe's shape (fixtures: resources.invoice, resources.line_item).
// Totals follow Stripe's arithmetic with no tax or discounts: total = Σ lines; the customer's
// credit balance (negative `balance`) is applied first, amount_due = max(0, total + balance).
import type Stripe from 'stripe';
import { newId } from '../ids.ts';
import type { Complete } from './shapes.ts';
import { decimal } from './subscription.ts';

/**
 * `invoice.subscription` left Stripe's types with API version 2025-03-31 (it moved to
 * `parent.subscription_details.subscription`), but Stripe's published fixture and integrations
 * written before then still read it, so we serve both.
 */
export type EmulatedInvoice = Complete<
  Stripe.Invoice,
  'auto_advance' | 'customer_tax_ids' | 'hosted_invoice_url' | 'invoice_pdf'
> & { subscription: string | Stripe.Subscription | null };

export interface LineFields {
  amount: number;
  currency: string;
  description: string;
  /** Null for an invoice item priced by `amount` or `unit_amount_decimal` alone. */
  price: Stripe.Price | null;
  quantity: number;
  periodStart: number;
  periodEnd: number;
  subscription: string | null;
  subscriptionItem: string | null;
  /** The pending invoice item (`ii_…`) this line bills, swept in when the invoice was drafted. */
  invoiceItem?: { id: string; unitAmountDecimal: Stripe.Decimal | null; metadata: Stripe.Metadata };
  proration: boolean;
}

function lineParent(fields: LineFields): Stripe.InvoiceLineItem.Parent | null {
  if (fields.invoiceItem) {
    return {
      type: 'invoice_item_details',
      invoice_item_details: {
        invoice_item: fields.invoiceItem.id,
        proration: fields.proration,
        proration_details: { credited_items: null },
        subscription: fields.subscription,
      },
      subscription_item_details: null,
    };
  }
  if (!fields.subscriptionItem) return null;
  return {
    type: 'subscription_item_details',
    invoice_item_details: null,
    subscription_item_details: {
      invoice_item: null,
      proration: fields.proration,
      proration_details: { credited_items: null },
      subscription: fields.subscription,
      subscription_item: fields.subscriptionItem,
    },
  };
}

function linePricing(fields: LineFields): Stripe.InvoiceLineItem.Pricing {
  const { price } = fields;
  if (!price) {
    return {
      type: 'price_details',
      unit_amount_decimal: fields.invoiceItem?.unitAmountDecimal ?? null,
    };
  }
  const product = typeof price.product === 'string' ? price.product : price.product.id;
  return {
    type: 'price_details',
    price_details: { price: price.id, product },
    unit_amount_decimal: price.unit_amount_decimal,
  };
}

function buildLine(invoice: string, fields: LineFields): Stripe.InvoiceLineItem {
  return {
    id: newId('invoiceLine'),
    object: 'line_item',
    amount: fields.amount,
    currency: fields.currency,
    description: fields.description,
    discount_amounts: [],
    discountable: !fields.proration,
    discounts: [],
    invoice,
    livemode: false,
    // An invoice item's metadata shows on its line, as Stripe copies it.
    metadata: fields.invoiceItem ? { ...fields.invoiceItem.metadata } : {},
    parent: lineParent(fields),
    period: { start: fields.periodStart, end: fields.periodEnd },
    pretax_credit_amounts: [],
    pricing: linePricing(fields),
    quantity: fields.quantity,
    quantity_decimal: decimal(fields.quantity),
    subscription: fields.subscription,
    subtotal: fields.amount,
    taxes: [],
  };
}

export interface InvoiceFields {
  customer: Stripe.Customer;
  subscription: Stripe.Subscription | null;
  billingReason: Stripe.Invoice.BillingReason;
  currency: string;
  lines: LineFields[];
  /** Stripe's invoice period: the span in which pending items accrued (see billing/invoicing). */
  periodStart: number;
  periodEnd: number;
}

export function buildInvoice(now: number, fields: InvoiceFields): EmulatedInvoice {
  const id = newId('invoice');
  const lines = fields.lines.map((line) => buildLine(id, line));
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const startingBalance = fields.customer.balance;
  const amountDue = Math.max(0, total + startingBalance);
  const customer = fields.customer;
  return {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Stripe Emulator',
    account_tax_ids: null,
    amount_due: amountDue,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: amountDue,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: {
      disabled_reason: null,
      enabled: false,
      liability: null,
      provider: null,
      status: null,
    },
    automatically_finalizes_at: null,
    billing_reason: fields.billingReason,
    collection_method: 'charge_automatically',
    created: now,
    currency: fields.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: customer.address ?? null,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: fields.subscription
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: {
            metadata: fields.subscription.metadata,
            subscription: fields.subscription.id,
          },
        }
      : null,
    payment_settings: {
      default_mandate: null,
      payment_method_options: null,
      payment_method_types: null,
    },
    period_end: fields.periodEnd,
    period_start: fields.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: startingBalance,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: {
      finalized_at: null,
      marked_uncollectible_at: null,
      paid_at: null,
      voided_at: null,
    },
    subscription: fields.subscription?.id ?? null,
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}
