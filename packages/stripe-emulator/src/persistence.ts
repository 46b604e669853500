// Optional state file, so a dev restart keeps customers, subscriptions and the rest. Written
// atomically (temp file + rename) shortly after each change and on stop; read once at start.
// The file is the emulator's own output, so loading checks the format version and each object's
// `object` tag rather than every field. The emulated time is saved too: after a restart the
// clock never reads earlier than the state it left behind. Idempotency keys and webhook
// deliveries in flight are not kept.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Stripe from 'stripe';
import type { EmulatorClock } from './clock.ts';
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
import type { CheckoutOptions, PendingInvoiceLine, Store } from './store.ts';

const FORMAT_VERSION = 1;

function serialize(store: Store, now: number): string {
  const collections: Record<string, [string, unknown][]> = {};
  for (const [name, map] of Object.entries(store)) collections[name] = [...map.entries()];
  return JSON.stringify({ version: FORMAT_VERSION, now, collections });
}

export function saveState(path: string, store: Store, clock: EmulatorClock): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, serialize(store, clock.now()));
  renameSync(temporary, path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entriesOf(value: unknown, name: string): [string, unknown][] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      throw new Error(`stripe-emulator state: malformed entry in ${name}`);
    }
    return [entry[0], entry[1]];
  });
}

/**
 * Reads state saved by `saveState` into `store`. Returns false when there is no file yet.
 * Decimal strings (`*_decimal` fields) are revived into the SDK's Decimal values.
 */
export function loadState(path: string, store: Store, clock: EmulatorClock): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isRecord(error) && error.code === 'ENOENT') return false;
    throw error;
  }
  const parsed: unknown = JSON.parse(text, (key, value) =>
    key.endsWith('_decimal') && typeof value === 'string' ? Stripe.Decimal.from(value) : value,
  );
  if (!isRecord(parsed) || parsed.version !== FORMAT_VERSION || !isRecord(parsed.collections)) {
    throw new Error(`stripe-emulator state: ${path} is not a version ${FORMAT_VERSION} state file`);
  }
  restore(store, parsed.collections);
  if (typeof parsed.now === 'number') clock.advanceTo(parsed.now);
  return true;
}

/**
 * The trust boundary. Each guard checks what tells objects apart — the `object` tag and the id —
 * and vouches for the rest, which this module wrote itself.
 */
function tagged<T extends { id: string; object: string }>(tag: T['object']) {
  return (value: unknown): value is T =>
    isRecord(value) && value.object === tag && typeof value.id === 'string';
}

function arrayOf<T>(guard: (value: unknown) => value is T) {
  return (value: unknown): value is T[] => Array.isArray(value) && value.every(guard);
}

function isPendingLine(value: unknown): value is PendingInvoiceLine {
  return (
    isRecord(value) &&
    typeof value.subscriptionItem === 'string' &&
    typeof value.amount === 'number'
  );
}

function isCheckoutOptions(value: unknown): value is CheckoutOptions {
  return isRecord(value) && isRecord(value.subscriptionData) && isRecord(value.paymentIntentData);
}

function refill<T>(
  target: Map<string, T>,
  raw: unknown,
  name: string,
  guard: (value: unknown) => value is T,
) {
  target.clear();
  for (const [key, value] of entriesOf(raw, name)) {
    if (!guard(value)) throw new Error(`stripe-emulator state: unexpected value in ${name}`);
    target.set(key, value);
  }
}

function restore(store: Store, c: Record<string, unknown>): void {
  refill(store.customers, c.customers, 'customers', tagged<EmulatedCustomer>('customer'));
  refill(store.products, c.products, 'products', tagged<EmulatedProduct>('product'));
  refill(store.prices, c.prices, 'prices', tagged<Stripe.Price>('price'));
  refill(
    store.checkoutSessions,
    c.checkoutSessions,
    'checkoutSessions',
    tagged<EmulatedCheckoutSession>('checkout.session'),
  );
  refill(
    store.checkoutLineItems,
    c.checkoutLineItems,
    'checkoutLineItems',
    arrayOf(tagged<Stripe.LineItem>('item')),
  );
  refill(store.checkoutOptions, c.checkoutOptions, 'checkoutOptions', isCheckoutOptions);
  refill(
    store.subscriptions,
    c.subscriptions,
    'subscriptions',
    tagged<EmulatedSubscription>('subscription'),
  );
  refill(
    store.subscriptionSchedules,
    c.subscriptionSchedules,
    'subscriptionSchedules',
    tagged<EmulatedSubscriptionSchedule>('subscription_schedule'),
  );
  refill(store.invoices, c.invoices, 'invoices', tagged<EmulatedInvoice>('invoice'));
  refill(
    store.invoiceItems,
    c.invoiceItems,
    'invoiceItems',
    tagged<Stripe.InvoiceItem>('invoiceitem'),
  );
  refill(
    store.paymentMethods,
    c.paymentMethods,
    'paymentMethods',
    tagged<EmulatedPaymentMethod>('payment_method'),
  );
  refill(
    store.paymentIntents,
    c.paymentIntents,
    'paymentIntents',
    tagged<EmulatedPaymentIntent>('payment_intent'),
  );
  refill(store.charges, c.charges, 'charges', tagged<EmulatedCharge>('charge'));
  refill(store.refunds, c.refunds, 'refunds', tagged<EmulatedRefund>('refund'));
  refill(
    store.portalSessions,
    c.portalSessions,
    'portalSessions',
    tagged<Stripe.BillingPortal.Session>('billing_portal.session'),
  );
  refill(store.events, c.events, 'events', tagged<Stripe.EventBase>('event'));
  refill(
    store.pendingInvoiceLines,
    c.pendingInvoiceLines,
    'pendingInvoiceLines',
    arrayOf(isPendingLine),
  );
}
