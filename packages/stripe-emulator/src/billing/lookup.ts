// Fetch-or-404 for every collection, with the object names Stripe uses in its messages
// ("No such price: 'price_…'"). `param` names the request field when the id came from a
// parameter rather than the URL (then Stripe answers 400, not 404).
import type { EmulatorContext } from '../context.ts';
import { resourceMissing } from '../errors.ts';

function requireFrom<T>(map: Map<string, T>, kind: string, id: string, param?: string): T {
  const found = map.get(id);
  if (found === undefined) throw resourceMissing(kind, id, param);
  return found;
}

export const requireCustomer = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.customers, 'customer', id, param);
export const requireProduct = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.products, 'product', id, param);
export const requirePrice = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.prices, 'price', id, param);
export const requireCheckoutSession = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.checkoutSessions, 'checkout.session', id, param);
export const requireSubscription = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.subscriptions, 'subscription', id, param);
export const requireInvoice = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.invoices, 'invoice', id, param);
export const requireInvoiceItem = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.invoiceItems, 'invoiceitem', id, param);
export const requirePaymentMethod = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.paymentMethods, 'PaymentMethod', id, param);
export const requirePaymentIntent = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.paymentIntents, 'payment_intent', id, param);
export const requireCharge = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.charges, 'charge', id, param);
export const requireRefund = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.refunds, 'refund', id, param);
export const requireEvent = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.events, 'event', id, param);
export const requirePortalSession = (ctx: EmulatorContext, id: string, param?: string) =>
  requireFrom(ctx.store.portalSessions, 'billing_portal.session', id, param);

/** The id of an expandable field, whether it holds an id or an expanded object. */
export function idOf(value: string | { id: string }): string;
export function idOf(value: string | { id: string } | null): string | null;
export function idOf(value: string | { id: string } | null): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? value : value.id;
}
