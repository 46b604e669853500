/**
 * What the user has been billed and how they pay: billing.invoices.list and billing.history
 * from the mirror (fast, and working while Stripe is slow), billing.paymentMethods.list from
 * Stripe (cards are not mirrored: Stripe's vault is the only copy worth trusting).
 */
import type Stripe from 'stripe';
import type { Deps } from '../../deps';
import { findBillingUser } from '../customers/customers.queries';
import { requireStripe } from '../stripe-client';
import { type HistoryKind, listHistory } from './history.queries';
import { listUserInvoices } from './journey.queries';
import { encodeCursor, type TPageInput } from './journey.schemas';
import { type JourneyDeps, liveStripeSubscription } from './live-subscription';
import { callStripe } from './stripe-call';
import { type InvoiceView, type Page, toInvoiceView } from './views';

/** Reads one row more than asked: its presence says whether there is a next page. */
function pageFrom<Row, Item>(
  rows: Row[],
  limit: number,
  view: (row: Row) => Item,
  cursorOf: (row: Row) => { at: Date; id: string },
): Page<Item> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null,
  };
}

export async function listInvoices(
  deps: Pick<Deps, 'db'>,
  userId: string,
  page: TPageInput,
): Promise<Page<InvoiceView>> {
  const rows = await listUserInvoices(deps.db, {
    userId,
    limit: page.limit + 1,
    after: page.cursor,
  });
  return pageFrom(rows, page.limit, toInvoiceView, (row) => ({
    at: row.stripe_created,
    id: row.id,
  }));
}

export interface HistoryEntry {
  /** invoice_paid | invoice_payment_failed | refund | credit_pack (a pack bought, once credited). */
  kind: HistoryKind;
  /** The Stripe object: in_…, re_…, or the pack's checkout session cs_…. */
  id: string;
  occurredAt: string;
  /** Charged, failed to charge, or refunded: always positive; `kind` says which. */
  amountCents: number;
  currency: string;
  invoiceId: string | null;
  invoiceNumber: string | null;
  /** Stripe's page for the invoice (pay a failed one there). */
  hostedUrl: string | null;
}

export async function listMoneyHistory(
  deps: Pick<Deps, 'db'>,
  userId: string,
  page: TPageInput,
): Promise<Page<HistoryEntry>> {
  const rows = await listHistory(deps.db, { userId, limit: page.limit + 1, after: page.cursor });
  return pageFrom(
    rows,
    page.limit,
    (row) => ({
      kind: row.kind,
      id: row.object_id,
      occurredAt: row.occurred_at.toISOString(),
      amountCents: row.amount,
      currency: row.currency,
      invoiceId: row.invoice_id,
      invoiceNumber: row.invoice_number,
      hostedUrl: row.hosted_url,
    }),
    (row) => ({ at: row.occurred_at, id: row.object_id }),
  );
}

export interface PaymentMethodView {
  id: string;
  /** visa, mastercard, … */
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  /** The card renewals are charged to. */
  isDefault: boolean;
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/** The card renewals use: the subscription's own, else the customer's invoice default. */
async function defaultPaymentMethod(
  deps: JourneyDeps,
  stripe: Stripe,
  customerId: string,
): Promise<string | null> {
  const subscription = await liveStripeSubscription(deps, customerId);
  const own = idOf(subscription?.default_payment_method);
  if (own) return own;
  const customer = await callStripe(deps, 'customers.retrieve', () =>
    stripe.customers.retrieve(customerId),
  );
  return customer.deleted ? null : idOf(customer.invoice_settings.default_payment_method);
}

export async function listPaymentMethods(
  deps: JourneyDeps,
  userId: string,
): Promise<PaymentMethodView[]> {
  const stripe = requireStripe(deps);
  const customerId = (await findBillingUser(deps.db, userId))?.stripe_customer_id;
  if (!customerId) return [];
  const methods = await callStripe(deps, 'customers.listPaymentMethods', () =>
    stripe.customers.listPaymentMethods(customerId, { type: 'card', limit: 100 }),
  );
  const defaultId = await defaultPaymentMethod(deps, stripe, customerId);
  return methods.data.flatMap((method) =>
    method.card
      ? [
          {
            id: method.id,
            brand: method.card.brand,
            last4: method.card.last4,
            expMonth: method.card.exp_month,
            expYear: method.card.exp_year,
            isDefault: method.id === defaultId,
          },
        ]
      : [],
  );
}
