// All emulator state: one Map per resource, in creation order (lists read them newest-first).
// Objects are stored in their Stripe shape and typed with the `stripe` package's own types, so
// every write is checked against Stripe's API definition. Handlers run synchronously, so a
// request sees and leaves the store consistent without locks.
import type Stripe from 'stripe';
import type { EmulatedProduct } from './objects/catalog.ts';
import type { EmulatedCheckoutSession } from './objects/checkout.ts';
import type { EmulatedCustomer } from './objects/customer.ts';
import type { EmulatedInvoice } from './objects/invoice.ts';
import type {
  EmulatedCharge,
  EmulatedPaymentIntent,
  EmulatedPaymentMethod,
  EmulatedRefund,
} from './objects/payments.ts';
import type { EmulatedSubscription } from './objects/subscription.ts';
import type { EmulatedSubscriptionSchedule } from './objects/subscription-schedule.ts';

/** A proration waiting for the subscription's next invoice (Stripe's pending invoice items). */
export interface PendingInvoiceLine {
  subscriptionItem: string;
  price: string;
  quantity: number;
  amount: number;
  currency: string;
  description: string;
  periodStart: number;
  periodEnd: number;
}

/** What `checkout.sessions.create` takes for the objects completion creates; not on the session. */
export interface CheckoutOptions {
  subscriptionData: {
    metadata: Record<string, string>;
    description: string | null;
    trialPeriodDays: number | null;
  };
  paymentIntentData: { metadata: Record<string, string>; description: string | null };
}

export interface Store {
  customers: Map<string, EmulatedCustomer>;
  products: Map<string, EmulatedProduct>;
  prices: Map<string, Stripe.Price>;
  checkoutSessions: Map<string, EmulatedCheckoutSession>;
  /** Checkout line items by session id: Stripe returns them only on request. */
  checkoutLineItems: Map<string, Stripe.LineItem[]>;
  checkoutOptions: Map<string, CheckoutOptions>;
  subscriptions: Map<string, EmulatedSubscription>;
  subscriptionSchedules: Map<string, EmulatedSubscriptionSchedule>;
  invoices: Map<string, EmulatedInvoice>;
  /** Invoice items (`ii_…`), pending until an invoice sweeps them in. */
  invoiceItems: Map<string, Stripe.InvoiceItem>;
  paymentMethods: Map<string, EmulatedPaymentMethod>;
  paymentIntents: Map<string, EmulatedPaymentIntent>;
  charges: Map<string, EmulatedCharge>;
  refunds: Map<string, EmulatedRefund>;
  portalSessions: Map<string, Stripe.BillingPortal.Session>;
  events: Map<string, Stripe.EventBase>;
  pendingInvoiceLines: Map<string, PendingInvoiceLine[]>;
}

export function createStore(): Store {
  return {
    customers: new Map(),
    products: new Map(),
    prices: new Map(),
    checkoutSessions: new Map(),
    checkoutLineItems: new Map(),
    checkoutOptions: new Map(),
    subscriptions: new Map(),
    subscriptionSchedules: new Map(),
    invoices: new Map(),
    invoiceItems: new Map(),
    paymentMethods: new Map(),
    paymentIntents: new Map(),
    charges: new Map(),
    refunds: new Map(),
    portalSessions: new Map(),
    events: new Map(),
    pendingInvoiceLines: new Map(),
  };
}

/** Newest first, as every Stripe list is ordered. */
export function newestFirst<T>(map: Map<string, T>): T[] {
  return [...map.values()].reverse();
}

type Expandable = { id: string; object: string };

/** Finds any stored object by id, for `expand[]`: the prefix says which collection to look in. */
export function findById(store: Store, id: string): Expandable | undefined {
  // `sub_sched_…` shares its first segment with `sub_…`.
  if (id.startsWith('sub_sched_')) return store.subscriptionSchedules.get(id);
  const [prefix] = id.split('_', 1);
  switch (prefix) {
    case 'cus':
      return store.customers.get(id);
    case 'prod':
      return store.products.get(id);
    case 'price':
      return store.prices.get(id);
    case 'cs':
      return store.checkoutSessions.get(id);
    case 'sub':
      return store.subscriptions.get(id);
    case 'in':
      return store.invoices.get(id);
    case 'ii':
      return store.invoiceItems.get(id);
    case 'pm':
      return store.paymentMethods.get(id);
    case 'pi':
      return store.paymentIntents.get(id);
    case 'ch':
      return store.charges.get(id);
    case 're':
      return store.refunds.get(id);
    case 'bps':
      return store.portalSessions.get(id);
    case 'evt':
      return store.events.get(id);
    default:
      return undefined;
  }
}
