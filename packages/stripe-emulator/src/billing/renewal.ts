// What Stripe does on its own as time passes: at the end of a period a subscription either ends
// (`cancel_at_period_end`) or renews — the period moves, a `subscription_cycle` invoice bills
// the new period plus queued prorations, and the default card is charged. A declined renewal
// makes the subscription `past_due` and schedules retries from the dunning policy; when the last
// retry fails the subscription is canceled or marked `unpaid`, per that policy.
import type { EmulatorContext } from '../context.ts';
import { type JsonObject, previousAttributes, toJson } from '../json.ts';
import type { EmulatedInvoice } from '../objects/invoice.ts';
import type { EmulatedSubscription } from '../objects/subscription.ts';
import {
  type CollectionOutcome,
  collectInvoice,
  draftInvoice,
  finalizeInvoice,
} from './invoicing.ts';
import { idOf } from './lookup.ts';
import { nextBoundary } from './periods.ts';
import {
  currentPeriod,
  endSubscription,
  lineFromPending,
  periodLines,
  recurringOf,
  setStatus,
} from './subscriptions.ts';

/**
 * `before` is the subscription as the previous `customer.subscription.updated` left it, when
 * the caller changed it first (a schedule entering a phase at this boundary), so the renewal's
 * one event shows both changes.
 */
export function reachPeriodEnd(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
  before: JsonObject = toJson(subscription),
): void {
  const period = currentPeriod(subscription);
  const cancelAt = subscription.cancel_at;
  if (subscription.cancel_at_period_end || (cancelAt !== null && cancelAt <= period.end)) {
    endSubscription(ctx, subscription, { reason: 'cancellation_requested', endedAt: period.end });
    return;
  }
  renew(ctx, subscription, period, before);
}

function renew(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
  period: { start: number; end: number },
  before: JsonObject,
): void {
  const customer = ctx.store.customers.get(idOf(subscription.customer));
  const [first] = subscription.items.data;
  if (!customer || !first) return;
  const fresh = {
    start: period.end,
    end: nextBoundary(subscription.billing_cycle_anchor, recurringOf(first.price), period.end),
  };
  for (const item of subscription.items.data) {
    item.current_period_start = fresh.start;
    item.current_period_end = fresh.end;
  }
  if (subscription.status === 'trialing') subscription.status = 'active';
  const pending = ctx.store.pendingInvoiceLines.get(subscription.id) ?? [];
  ctx.store.pendingInvoiceLines.delete(subscription.id);
  // Stripe's invoice period is the one that just ended; the lines carry the period billed.
  const invoice = draftInvoice(ctx, {
    customer,
    subscription,
    billingReason: 'subscription_cycle',
    currency: subscription.currency,
    lines: [
      ...pending.map((line) => lineFromPending(ctx, subscription.id, line)),
      ...periodLines(ctx, subscription, fresh, false),
    ],
    periodStart: period.start,
    periodEnd: period.end,
  });
  subscription.latest_invoice = invoice.id;
  ctx.events.emit(
    'customer.subscription.updated',
    subscription,
    previousAttributes(before, toJson(subscription)),
  );
  finalizeInvoice(ctx, invoice);
  settle(ctx, subscription, invoice, collectInvoice(ctx, invoice));
}

/** A scheduled dunning retry of an open invoice. */
export function retryInvoice(ctx: EmulatorContext, invoice: EmulatedInvoice): void {
  const outcome = collectInvoice(ctx, invoice);
  const subscription = invoice.subscription
    ? ctx.store.subscriptions.get(idOf(invoice.subscription))
    : undefined;
  if (subscription) settle(ctx, subscription, invoice, outcome);
}

function settle(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
  invoice: EmulatedInvoice,
  outcome: CollectionOutcome,
): void {
  if (subscription.status === 'canceled') return;
  const isLatest = subscription.latest_invoice === invoice.id;
  if (outcome.paid) {
    if (isLatest && (subscription.status === 'past_due' || subscription.status === 'unpaid')) {
      setStatus(ctx, subscription, 'active');
    }
    return;
  }
  if (subscription.status === 'active') setStatus(ctx, subscription, 'past_due');
  if (!outcome.retriesExhausted) return;
  if (ctx.settings.dunning.finalAction === 'cancel') {
    endSubscription(ctx, subscription, { reason: 'payment_failed', endedAt: ctx.clock.now() });
  } else {
    setStatus(ctx, subscription, 'unpaid');
  }
}

/**
 * An attempt on demand (`invoices.pay`, the hosted invoice page): settles the subscription like
 * a retry, but a decline leaves the automatic retry schedule where it was.
 */
export function payInvoiceNow(ctx: EmulatorContext, invoice: EmulatedInvoice): CollectionOutcome {
  const scheduled = invoice.next_payment_attempt;
  const outcome = collectInvoice(ctx, invoice);
  const subscription = invoice.subscription
    ? ctx.store.subscriptions.get(idOf(invoice.subscription))
    : undefined;
  if (outcome.paid) {
    if (subscription) settle(ctx, subscription, invoice, outcome);
  } else {
    invoice.next_payment_attempt = scheduled;
  }
  return outcome;
}
