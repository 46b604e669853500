// Subscription changes an integration makes: start (from Checkout), update items with
// prorations, schedule or undo cancellation at period end, cancel now. Each validates fully
// before it mutates, then emits `customer.subscription.*` with `previous_attributes` and runs
// any invoice the change requires through the normal invoice lifecycle.
import type Stripe from 'stripe';
import { SECONDS_PER_DAY } from '../clock.ts';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { previousAttributes, toJson } from '../json.ts';
import type { EmulatedCustomer } from '../objects/customer.ts';
import type { LineFields } from '../objects/invoice.ts';
import type { EmulatedPaymentMethod } from '../objects/payments.ts';
import {
  buildSubscription,
  buildSubscriptionItem,
  type EmulatedSubscription,
  newSubscriptionId,
} from '../objects/subscription.ts';
import type { PendingInvoiceLine } from '../store.ts';
import {
  collectInvoice,
  describeItem,
  draftInvoice,
  finalizeInvoice,
  productName,
} from './invoicing.ts';
import { nextBoundary } from './periods.ts';
import { endScheduleWith, type ScheduleEnding } from './schedule-lifecycle.ts';

export interface NewItem {
  price: Stripe.Price;
  quantity: number;
}

export function recurringOf(price: Stripe.Price): Stripe.Price.Recurring {
  if (!price.recurring) throw new Error(`price ${price.id} is not recurring`);
  return price.recurring;
}

/** Stripe requires every item of a subscription to bill on the same interval. */
export function assertSameInterval(prices: Stripe.Price[], param: string): void {
  const [first] = prices;
  if (!first) throw invalidRequest('A subscription must have at least one item.', { param });
  const { interval, interval_count } = recurringOf(first);
  for (const price of prices) {
    const other = recurringOf(price);
    if (other.interval !== interval || other.interval_count !== interval_count) {
      throw invalidRequest(
        'The price specified has a different billing interval than the other items on the subscription; all recurring prices must have the same interval.',
        { param },
      );
    }
  }
}

export function currentPeriod(subscription: Stripe.Subscription): { start: number; end: number } {
  const [item] = subscription.items.data;
  if (!item) throw new Error(`subscription ${subscription.id} has no items`);
  return { start: item.current_period_start, end: item.current_period_end };
}

export function lineFromPending(
  ctx: EmulatorContext,
  subscription: string,
  line: PendingInvoiceLine,
): LineFields {
  const price = ctx.store.prices.get(line.price);
  if (!price) throw new Error(`pending line refers to unknown price ${line.price}`);
  return {
    amount: line.amount,
    currency: line.currency,
    description: line.description,
    price,
    quantity: line.quantity,
    periodStart: line.periodStart,
    periodEnd: line.periodEnd,
    subscription,
    subscriptionItem: line.subscriptionItem,
    proration: true,
  };
}

/** One full-period line per item, e.g. at renewal or at the start. */
export function periodLines(
  ctx: EmulatorContext,
  subscription: Stripe.Subscription,
  period: { start: number; end: number },
  trial: boolean,
): LineFields[] {
  return subscription.items.data.map((item) => {
    const quantity = item.quantity ?? 1;
    const name = productName(ctx, item.price);
    return {
      amount: trial ? 0 : (item.price.unit_amount ?? 0) * quantity,
      currency: item.price.currency,
      description: trial ? `Trial period for ${name}` : describeItem(item.price, name, quantity),
      price: item.price,
      quantity,
      periodStart: period.start,
      periodEnd: period.end,
      subscription: subscription.id,
      subscriptionItem: item.id,
      proration: false,
    };
  });
}

export interface StartInput {
  customer: EmulatedCustomer;
  items: NewItem[];
  paymentMethod: EmulatedPaymentMethod | null;
  metadata: Record<string, string>;
  description: string | null;
  trialPeriodDays: number | null;
  /** The schedule that starts this subscription, set before `customer.subscription.created`. */
  schedule?: string;
}

/**
 * Creates the subscription `incomplete`, bills its first invoice and activates it once paid —
 * the sequence Checkout produces, so `customer.subscription.created` shows `incomplete` and a
 * `customer.subscription.updated` follows with `previous_attributes.status`.
 */
export function startSubscription(ctx: EmulatorContext, input: StartInput) {
  const now = ctx.clock.now();
  const prices = input.items.map((item) => item.price);
  const first = prices[0];
  if (!first) throw invalidRequest('Missing items.', { param: 'items' });
  const recurring = recurringOf(first);
  const trialEnd = input.trialPeriodDays ? now + input.trialPeriodDays * SECONDS_PER_DAY : null;
  const anchor = trialEnd ?? now;
  const period = { start: now, end: trialEnd ?? nextBoundary(anchor, recurring, now) };
  const id = newSubscriptionId();
  const items = input.items.map((item) =>
    buildSubscriptionItem(now, {
      subscription: id,
      price: item.price,
      quantity: item.quantity,
      periodStart: period.start,
      periodEnd: period.end,
      metadata: {},
    }),
  );
  const subscription = buildSubscription(now, {
    id,
    customer: input.customer.id,
    currency: first.currency,
    items,
    billingCycleAnchor: anchor,
    defaultPaymentMethod: input.paymentMethod?.id ?? null,
    metadata: input.metadata,
    description: input.description,
    trialStart: trialEnd ? now : null,
    trialEnd,
  });
  subscription.schedule = input.schedule ?? null;
  ctx.store.subscriptions.set(id, subscription);
  const invoice = draftInvoice(ctx, {
    customer: input.customer,
    subscription,
    billingReason: 'subscription_create',
    currency: first.currency,
    lines: periodLines(ctx, subscription, period, trialEnd !== null),
    periodStart: now,
    periodEnd: now,
  });
  subscription.latest_invoice = invoice.id;
  ctx.events.emit('customer.subscription.created', subscription);
  finalizeInvoice(ctx, invoice);
  const outcome = collectInvoice(ctx, invoice);
  if (outcome.paid) {
    setStatus(ctx, subscription, trialEnd ? 'trialing' : 'active');
  }
  return { subscription, invoice, paid: outcome.paid };
}

export function setStatus(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
  status: Stripe.Subscription.Status,
): void {
  if (subscription.status === status) return;
  const before = toJson(subscription);
  subscription.status = status;
  ctx.events.emit(
    'customer.subscription.updated',
    subscription,
    previousAttributes(before, toJson(subscription)),
  );
}

export interface CancelOptions {
  reason: Stripe.Subscription.CancellationDetails.Reason;
  comment?: string | null;
  feedback?: Stripe.Subscription.CancellationDetails.Feedback | null;
  /** When the subscription ends; now for an immediate cancel, period end for a scheduled one. */
  endedAt: number;
  /** What happens to an attached schedule; by default `canceled` (`aborted` after dunning). */
  scheduleEnding?: ScheduleEnding;
}

/** Ends a subscription: `customer.subscription.deleted`, retries stop, pending prorations go. */
export function endSubscription(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
  options: CancelOptions,
): void {
  if (subscription.status === 'canceled') {
    throw invalidRequest(`This subscription has already been canceled: ${subscription.id}`, {
      param: 'id',
    });
  }
  subscription.status = 'canceled';
  subscription.ended_at = options.endedAt;
  subscription.canceled_at ??= options.endedAt;
  subscription.cancellation_details = {
    comment: options.comment ?? subscription.cancellation_details?.comment ?? null,
    feedback: options.feedback ?? subscription.cancellation_details?.feedback ?? null,
    feedback_option: null,
    reason: options.reason,
  };
  ctx.store.pendingInvoiceLines.delete(subscription.id);
  for (const invoice of ctx.store.invoices.values()) {
    if (invoice.subscription === subscription.id) invoice.next_payment_attempt = null;
  }
  ctx.events.emit('customer.subscription.deleted', subscription);
  const ending = options.reason === 'payment_failed' ? 'aborted' : 'canceled';
  endScheduleWith(ctx, subscription, options.scheduleEnding ?? ending);
}
