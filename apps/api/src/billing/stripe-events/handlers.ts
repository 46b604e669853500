/**
 * Which event types are applied, and by what. Anything else is stored as `ignored`.
 * Several types share a handler because each handler re-reads its object: the type only
 * says which object to look at (and, for payment_failed, that one attempt failed).
 */
import { applyCatalogObject } from './catalog-changed';
import { applyChargeRefunded } from './charge-refunded';
import { applyCheckoutSessionCompleted } from './checkout-session-completed';
import type { EventHandler, LockFreeOutcome } from './context';
import { applyCustomerUpdated, customerUpdatedWithoutChange } from './customer-updated';
import { applyInvoiceEvent } from './invoice-changed';
import { applyScheduleEvent, applySubscriptionEvent } from './subscription-changed';

export const EVENT_HANDLERS: Readonly<Record<string, EventHandler>> = {
  'checkout.session.completed': applyCheckoutSessionCompleted,
  // A pack paid by a delayed method: completed while unpaid, credited when the money arrives.
  'checkout.session.async_payment_succeeded': applyCheckoutSessionCompleted,
  'customer.subscription.created': applySubscriptionEvent,
  'customer.subscription.updated': applySubscriptionEvent,
  'customer.subscription.deleted': applySubscriptionEvent,
  'customer.subscription.paused': applySubscriptionEvent,
  'customer.subscription.resumed': applySubscriptionEvent,
  'customer.subscription.pending_update_applied': applySubscriptionEvent,
  'customer.subscription.pending_update_expired': applySubscriptionEvent,
  'subscription_schedule.created': applyScheduleEvent,
  'subscription_schedule.updated': applyScheduleEvent,
  'subscription_schedule.released': applyScheduleEvent,
  'subscription_schedule.canceled': applyScheduleEvent,
  'subscription_schedule.completed': applyScheduleEvent,
  'subscription_schedule.aborted': applyScheduleEvent,
  'invoice.paid': applyInvoiceEvent,
  'invoice.payment_failed': applyInvoiceEvent,
  'invoice.finalized': applyInvoiceEvent,
  'invoice.voided': applyInvoiceEvent,
  'invoice.marked_uncollectible': applyInvoiceEvent,
  'customer.updated': applyCustomerUpdated,
  'charge.refunded': applyChargeRefunded,
  'product.created': applyCatalogObject,
  'product.updated': applyCatalogObject,
  'product.deleted': applyCatalogObject,
  'price.created': applyCatalogObject,
  'price.updated': applyCatalogObject,
  'price.deleted': applyCatalogObject,
};

/** The types to select on the Stripe webhook endpoint (README), in one place. */
export const HANDLED_EVENT_TYPES = Object.keys(EVENT_HANDLERS);

export function handlerFor(type: string): EventHandler | undefined {
  return Object.hasOwn(EVENT_HANDLERS, type) ? EVENT_HANDLERS[type] : undefined;
}

/** Types whose events can be answered without a transaction when they change nothing. */
const LOCK_FREE_OUTCOMES: Readonly<Record<string, LockFreeOutcome>> = {
  'customer.updated': customerUpdatedWithoutChange,
};

export function lockFreeOutcomeFor(type: string): LockFreeOutcome | undefined {
  return Object.hasOwn(LOCK_FREE_OUTCOMES, type) ? LOCK_FREE_OUTCOMES[type] : undefined;
}
