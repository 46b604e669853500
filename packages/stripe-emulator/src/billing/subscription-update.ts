// `POST /v1/subscriptions/:id`: switch price or quantity, schedule or undo cancellation at
// period end, change metadata or the default card. Price changes follow Stripe's rules:
//  - same interval: the period is kept; prorations are queued for the next invoice
//    (`create_prorations`, the default), invoiced now (`always_invoice`) or skipped (`none`);
//  - different interval (monthly → yearly): the billing cycle restarts today and is invoiced
//    now, with a credit for the unused old period unless `proration_behavior=none`.
// A subscription driven by a schedule takes item changes (the current phase follows) but no
// cancellation changes: those go through the schedule, as Stripe insists.
import type Stripe from 'stripe';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest, parameterMissing, resourceMissing } from '../errors.ts';
import { applyMetadata, type MetadataPatch } from '../http/params.ts';
import { previousAttributes, toJson } from '../json.ts';
import type { LineFields } from '../objects/invoice.ts';
import type { EmulatedPaymentMethod } from '../objects/payments.ts';
import type { EmulatedSubscription } from '../objects/subscription.ts';
import type { PendingInvoiceLine } from '../store.ts';
import { collectInvoice, draftInvoice, finalizeInvoice } from './invoicing.ts';
import { applyItemStates, itemStates } from './items.ts';
import { idOf } from './lookup.ts';
import { nextBoundary } from './periods.ts';
import { type ItemState, prorationLine } from './proration.ts';
import { scheduleOf, syncCurrentPhase } from './schedule-lifecycle.ts';
import {
  assertSameInterval,
  currentPeriod,
  lineFromPending,
  periodLines,
  recurringOf,
  setStatus,
} from './subscriptions.ts';

export type ProrationBehavior = 'create_prorations' | 'always_invoice' | 'none';

export interface ItemChange {
  id: string | undefined;
  price: Stripe.Price | undefined;
  quantity: number | undefined;
  deleted: boolean;
}

export interface SubscriptionUpdate {
  items: ItemChange[] | undefined;
  prorationBehavior: ProrationBehavior;
  prorationDate: number | undefined;
  cancelAtPeriodEnd: boolean | undefined;
  metadata: MetadataPatch | undefined;
  defaultPaymentMethod: EmulatedPaymentMethod | null | undefined;
  description: string | null | undefined;
  cancellationComment: string | null | undefined;
  cancellationFeedback: Stripe.Subscription.CancellationDetails.Feedback | null | undefined;
  /** Set when a schedule enters a phase: the schedule already holds the new items. */
  fromSchedule?: boolean;
}

/** Nothing is left of the period (a change at its very end): Stripe prorates nothing. */
const nonZero = (line: PendingInvoiceLine) => line.amount !== 0;

const sameItem = (a: ItemState, b: ItemState) =>
  a.price.id === b.price.id && a.quantity === b.quantity;

/** Applies the item changes to a copy of the current items, validating as Stripe does. */
function plannedItems(subscription: Stripe.Subscription, changes: ItemChange[]): ItemState[] {
  const next = itemStates(subscription);
  changes.forEach((change, index) => {
    const param = `items[${index}]`;
    if (change.id) {
      const at = next.findIndex((state) => state.subscriptionItem === change.id);
      const state = next[at];
      if (!state) throw resourceMissing('subscription item', change.id, `${param}[id]`);
      if (change.deleted) next.splice(at, 1);
      else
        next[at] = {
          ...state,
          price: change.price ?? state.price,
          quantity: change.quantity ?? state.quantity,
        };
      return;
    }
    if (!change.price) throw parameterMissing(`${param}[price]`);
    // An empty id marks an item to be created; applyItemStates assigns its si_ id.
    next.push({ subscriptionItem: '', price: change.price, quantity: change.quantity ?? 1 });
  });
  assertSameInterval(
    next.map((state) => state.price),
    'items',
  );
  return next;
}

export function updateSubscription(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
  update: SubscriptionUpdate,
): EmulatedSubscription {
  const ended = subscription.status === 'canceled' || subscription.status === 'incomplete_expired';
  const changesBilling =
    update.items !== undefined ||
    update.cancelAtPeriodEnd !== undefined ||
    update.defaultPaymentMethod !== undefined;
  if (ended && changesBilling) {
    throw invalidRequest(
      'A canceled subscription can only update its cancellation_details and metadata.',
    );
  }
  const schedule = scheduleOf(ctx, subscription);
  if (schedule && update.cancelAtPeriodEnd !== undefined) {
    throw invalidRequest(
      `The subscription is managed by the subscription schedule \`${schedule.id}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`,
    );
  }
  const planned = update.items ? plannedItems(subscription, update.items) : undefined;

  const now = ctx.clock.now();
  const before = toJson(subscription);
  const invoiceLines = planned ? changeItems(ctx, subscription, planned, update, now) : [];

  if (update.cancelAtPeriodEnd === true) {
    subscription.cancel_at_period_end = true;
    subscription.cancel_at = currentPeriod(subscription).end;
    subscription.canceled_at = now;
    subscription.cancellation_details = {
      comment: subscription.cancellation_details?.comment ?? null,
      feedback: subscription.cancellation_details?.feedback ?? null,
      feedback_option: null,
      reason: 'cancellation_requested',
    };
  } else if (update.cancelAtPeriodEnd === false) {
    subscription.cancel_at_period_end = false;
    subscription.cancel_at = null;
    subscription.canceled_at = null;
    subscription.cancellation_details = {
      comment: null,
      feedback: null,
      feedback_option: null,
      reason: null,
    };
  }
  if (update.cancellationComment !== undefined || update.cancellationFeedback !== undefined) {
    const details = subscription.cancellation_details ?? {
      comment: null,
      feedback: null,
      feedback_option: null,
      reason: null,
    };
    if (update.cancellationComment !== undefined) details.comment = update.cancellationComment;
    if (update.cancellationFeedback !== undefined) details.feedback = update.cancellationFeedback;
    subscription.cancellation_details = details;
  }
  subscription.metadata = applyMetadata(subscription.metadata, update.metadata);
  if (update.defaultPaymentMethod !== undefined) {
    subscription.default_payment_method = update.defaultPaymentMethod?.id ?? null;
  }
  if (update.description !== undefined) subscription.description = update.description;

  const customer = ctx.store.customers.get(idOf(subscription.customer));
  const invoice =
    invoiceLines.length > 0 && customer
      ? draftInvoice(ctx, {
          customer,
          subscription,
          billingReason: 'subscription_update',
          currency: subscription.currency,
          lines: invoiceLines,
          periodStart: now,
          periodEnd: now,
        })
      : undefined;
  if (invoice) subscription.latest_invoice = invoice.id;

  const previous = previousAttributes(before, toJson(subscription));
  if (Object.keys(previous).length > 0) {
    ctx.events.emit('customer.subscription.updated', subscription, previous);
  }
  if (planned && !update.fromSchedule) syncCurrentPhase(ctx, subscription);
  if (invoice) {
    finalizeInvoice(ctx, invoice);
    const outcome = collectInvoice(ctx, invoice);
    if (!outcome.paid && subscription.status === 'active') setStatus(ctx, subscription, 'past_due');
  }
  return subscription;
}

/** Swaps the items in and returns the lines to invoice now (empty when nothing is due now). */
function changeItems(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
  planned: ItemState[],
  update: SubscriptionUpdate,
  now: number,
): LineFields[] {
  const at = update.prorationDate ?? now;
  const previous = itemStates(subscription);
  const period = currentPeriod(subscription);
  const prorate = update.prorationBehavior !== 'none';
  const [oldFirst] = previous;
  const [newFirst] = planned;
  if (!oldFirst || !newFirst) return [];
  const oldRecurring = recurringOf(oldFirst.price);
  const newRecurring = recurringOf(newFirst.price);
  const intervalChanged =
    oldRecurring.interval !== newRecurring.interval ||
    oldRecurring.interval_count !== newRecurring.interval_count;

  const pending = ctx.store.pendingInvoiceLines.get(subscription.id) ?? [];
  if (intervalChanged) {
    const credits = prorate
      ? previous.map((item) => prorationLine(ctx, item, period, at, 'credit')).filter(nonZero)
      : [];
    const fresh = { start: now, end: nextBoundary(now, newRecurring, now) };
    subscription.billing_cycle_anchor = now;
    applyItemStates(subscription, planned, fresh, now);
    ctx.store.pendingInvoiceLines.delete(subscription.id);
    return [
      ...[...pending, ...credits].map((line) => lineFromPending(ctx, subscription.id, line)),
      ...periodLines(ctx, subscription, fresh, false),
    ];
  }

  const removedOrChanged = previous.filter((old) => {
    const match = planned.find((state) => state.subscriptionItem === old.subscriptionItem);
    return !match || !sameItem(old, match);
  });
  applyItemStates(subscription, planned, period, now);
  const addedOrChanged = planned.filter((state) => {
    const match = previous.find((old) => old.subscriptionItem === state.subscriptionItem);
    return !match || !sameItem(match, state);
  });
  if (!prorate) return [];
  const prorations = [
    ...removedOrChanged.map((item) => prorationLine(ctx, item, period, at, 'credit')),
    ...addedOrChanged.map((item) => prorationLine(ctx, item, period, at, 'charge')),
  ].filter(nonZero);
  if (update.prorationBehavior === 'always_invoice') {
    ctx.store.pendingInvoiceLines.delete(subscription.id);
    return [...pending, ...prorations].map((line) => lineFromPending(ctx, subscription.id, line));
  }
  if (prorations.length > 0)
    ctx.store.pendingInvoiceLines.set(subscription.id, [...pending, ...prorations]);
  return [];
}
