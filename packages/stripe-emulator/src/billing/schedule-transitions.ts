// What a schedule does as time passes. At its start a `not_started` schedule creates its
// subscription from the first phase; at the end of each phase the next one begins and the
// subscription takes that phase's items; after the last phase `end_behavior` applies (`release`
// leaves the subscription running as it is, `cancel` ends it). A phase that begins where the
// subscription's period ends changes the items first and then renews, so that renewal invoice
// bills the new phase's prices and one `customer.subscription.updated` shows both changes; a
// phase beginning mid-period changes the items like `subscriptions.update` with the phase's
// `proration_behavior`. Items whose price carries over keep their `si_` id; others are new.
import type Stripe from 'stripe';
import type { EmulatorContext } from '../context.ts';
import type { MetadataPatch } from '../http/params.ts';
import { toJson } from '../json.ts';
import type { EmulatedSubscription } from '../objects/subscription.ts';
import type {
  EmulatedSubscriptionSchedule,
  SchedulePhase,
} from '../objects/subscription-schedule.ts';
import { applyItemStates, itemStates } from './items.ts';
import { idOf } from './lookup.ts';
import type { ItemState } from './proration.ts';
import { reachPeriodEnd } from './renewal.ts';
import {
  emitSchedule,
  releaseSchedule,
  subscriptionOf,
  syncCancelAt,
} from './schedule-lifecycle.ts';
import {
  type ItemChange,
  type ProrationBehavior,
  type SubscriptionUpdate,
  updateSubscription,
} from './subscription-update.ts';
import { currentPeriod, endSubscription, recurringOf, startSubscription } from './subscriptions.ts';

const BILLING_STATUSES = new Set(['active', 'past_due', 'trialing']);

/** When the schedule next needs the clock: its start, or the end of its current phase. */
export function scheduleDueAt(schedule: EmulatedSubscriptionSchedule): number | undefined {
  if (schedule.status === 'not_started') return schedule.phases[0]?.start_date;
  if (schedule.status === 'active') return schedule.current_phase?.end_date;
  return undefined;
}

/** The due step: start, move to the next phase, or apply `end_behavior`. */
export function runSchedule(ctx: EmulatorContext, schedule: EmulatedSubscriptionSchedule): void {
  if (schedule.status === 'not_started') {
    startSchedule(ctx, schedule, 'subscription_schedule.updated');
    return;
  }
  const current = schedule.current_phase;
  if (!current) return;
  const subscription = subscriptionOf(ctx, schedule);
  const index = schedule.phases.findIndex((phase) => phase.start_date === current.start_date);
  const next = schedule.phases[index + 1];
  if (next && subscription) {
    enterPhase(ctx, schedule, subscription, next);
  } else if (schedule.end_behavior === 'cancel' && subscription) {
    endSubscription(ctx, subscription, {
      reason: 'cancellation_requested',
      endedAt: current.end_date,
      scheduleEnding: 'completed',
    });
  } else {
    releaseSchedule(ctx, schedule, { at: current.end_date, preserveCancelDate: false });
  }
}

export function startSchedule(
  ctx: EmulatorContext,
  schedule: EmulatedSubscriptionSchedule,
  announce: 'subscription_schedule.created' | 'subscription_schedule.updated',
): void {
  const [phase] = schedule.phases;
  const customer = ctx.store.customers.get(idOf(schedule.customer));
  if (!phase || !customer) throw new Error(`schedule ${schedule.id} cannot start`);
  const before = toJson(schedule);
  const card = customer.invoice_settings.default_payment_method;
  const { subscription } = startSubscription(ctx, {
    customer,
    items: plannedItems(ctx, undefined, phase),
    paymentMethod: card === null ? null : (ctx.store.paymentMethods.get(idOf(card)) ?? null),
    metadata: { ...phase.metadata },
    description: null,
    trialPeriodDays: null,
    schedule: schedule.id,
  });
  schedule.status = 'active';
  schedule.subscription = subscription.id;
  schedule.current_phase = { start_date: phase.start_date, end_date: phase.end_date };
  if (announce === 'subscription_schedule.created') ctx.events.emit(announce, schedule);
  else emitSchedule(ctx, announce, schedule, before);
  syncCancelAt(ctx, schedule, subscription, null);
}

function enterPhase(
  ctx: EmulatorContext,
  schedule: EmulatedSubscriptionSchedule,
  subscription: EmulatedSubscription,
  phase: SchedulePhase,
): void {
  const now = ctx.clock.now();
  const before = toJson(schedule);
  schedule.current_phase = { start_date: phase.start_date, end_date: phase.end_date };
  emitSchedule(ctx, 'subscription_schedule.updated', schedule, before);
  const planned = plannedItems(ctx, subscription, phase);
  const period = currentPeriod(subscription);
  if (BILLING_STATUSES.has(subscription.status) && period.end <= now) {
    const subscriptionBefore = toJson(subscription);
    const [oldFirst] = subscription.items.data;
    const [newFirst] = planned;
    if (oldFirst && newFirst && !sameInterval(oldFirst.price, newFirst.price)) {
      subscription.billing_cycle_anchor = now;
    }
    applyItemStates(subscription, planned, period, now);
    subscription.metadata = { ...subscription.metadata, ...phase.metadata };
    reachPeriodEnd(ctx, subscription, subscriptionBefore);
    return;
  }
  const metadata = { clear: false, set: { ...phase.metadata } };
  updateSubscription(
    ctx,
    subscription,
    phaseUpdate(
      itemChanges(subscription, planned),
      prorationOf(phase.proration_behavior),
      metadata,
    ),
  );
}

/** The `subscriptions.update` a schedule makes: items (and phase metadata) only. */
export function phaseUpdate(
  items: ItemChange[],
  prorationBehavior: ProrationBehavior,
  metadata?: MetadataPatch,
): SubscriptionUpdate {
  return {
    items,
    prorationBehavior,
    prorationDate: undefined,
    cancelAtPeriodEnd: undefined,
    metadata,
    defaultPaymentMethod: undefined,
    description: undefined,
    cancellationComment: undefined,
    cancellationFeedback: undefined,
    fromSchedule: true,
  };
}

function sameInterval(a: Stripe.Price, b: Stripe.Price): boolean {
  const [x, y] = [recurringOf(a), recurringOf(b)];
  return x.interval === y.interval && x.interval_count === y.interval_count;
}

export function prorationOf(value: string | undefined): ProrationBehavior {
  return value === 'always_invoice' || value === 'none' ? value : 'create_prorations';
}

/** The phase's items as item states, reusing the subscription's item for a price it keeps. */
export function plannedItems(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription | undefined,
  phase: SchedulePhase,
): ItemState[] {
  const remaining = subscription ? itemStates(subscription) : [];
  return phase.items.map((item) => {
    const id = typeof item.price === 'string' ? item.price : item.price.id;
    const price = ctx.store.prices.get(id);
    if (!price) throw new Error(`schedule phase refers to unknown price ${id}`);
    const at = remaining.findIndex((state) => state.price.id === id);
    const [kept] = at === -1 ? [] : remaining.splice(at, 1);
    return { subscriptionItem: kept?.subscriptionItem ?? '', price, quantity: item.quantity ?? 1 };
  });
}

/** The `subscriptions.update` item changes that turn the subscription's items into `planned`. */
export function itemChanges(
  subscription: EmulatedSubscription,
  planned: ItemState[],
): ItemChange[] {
  const kept = new Set(planned.map((state) => state.subscriptionItem));
  const removed: ItemChange[] = subscription.items.data
    .filter((item) => !kept.has(item.id))
    .map((item) => ({ id: item.id, price: undefined, quantity: undefined, deleted: true }));
  const set: ItemChange[] = planned.map((state) => ({
    id: state.subscriptionItem || undefined,
    price: state.price,
    quantity: state.quantity,
    deleted: false,
  }));
  return [...removed, ...set];
}
