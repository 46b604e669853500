// How a schedule lets go of its subscription, as Stripe does:
//  - released (API `release`, or the last phase ends with `end_behavior=release`): the
//    subscription keeps its items and billing and loses `schedule`; the schedule keeps
//    `released_subscription`; any cancellation the schedule set on the subscription goes too,
//    unless `preserve_cancel_date`;
//  - the subscription ends: an active schedule ends with it — `canceled` (API cancel of either
//    object; `subscription_schedule.canceled`), `canceled` after dunning gave up
//    (`subscription_schedule.aborted`), or `completed` when the schedule itself ended it
//    (`end_behavior=cancel`; `subscription_schedule.completed`).
// Also: a schedule with `end_behavior=cancel` puts its end on the subscription as `cancel_at`,
// and a direct change of the subscription's items is written into the current phase, so the
// schedule never contradicts the subscription it drives.
import type { EmulatorContext } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { previousAttributes, toJson } from '../json.ts';
import type { EmulatedSubscription } from '../objects/subscription.ts';
import type { EmulatedSubscriptionSchedule } from '../objects/subscription-schedule.ts';
import { idOf } from './lookup.ts';

export type ScheduleEnding = 'canceled' | 'aborted' | 'completed';

export const isLive = (schedule: EmulatedSubscriptionSchedule) =>
  schedule.status === 'active' || schedule.status === 'not_started';

/** The live schedule driving this subscription, if any. */
export function scheduleOf(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
): EmulatedSubscriptionSchedule | undefined {
  if (subscription.schedule === null) return undefined;
  const schedule = ctx.store.subscriptionSchedules.get(idOf(subscription.schedule));
  return schedule && isLive(schedule) ? schedule : undefined;
}

export function subscriptionOf(
  ctx: EmulatorContext,
  schedule: EmulatedSubscriptionSchedule,
): EmulatedSubscription | undefined {
  return schedule.subscription === null
    ? undefined
    : ctx.store.subscriptions.get(idOf(schedule.subscription));
}

export function assertLive(schedule: EmulatedSubscriptionSchedule, action: string): void {
  if (isLive(schedule)) return;
  throw invalidRequest(
    `You cannot ${action} a subscription schedule that is currently in the \`${schedule.status}\` status. It must be in one of the following statuses: \`not_started\`, \`active\`.`,
  );
}

export function emitSchedule(
  ctx: EmulatorContext,
  type:
    | 'subscription_schedule.updated'
    | 'subscription_schedule.released'
    | 'subscription_schedule.canceled'
    | 'subscription_schedule.aborted'
    | 'subscription_schedule.completed',
  schedule: EmulatedSubscriptionSchedule,
  before: ReturnType<typeof toJson>,
): void {
  const previous = previousAttributes(before, toJson(schedule));
  if (type === 'subscription_schedule.updated' && Object.keys(previous).length === 0) return;
  ctx.events.emit(type, schedule, previous);
}

/** The end of the last phase: where `end_behavior=cancel` ends the subscription. */
export function scheduleEnd(schedule: EmulatedSubscriptionSchedule): number | null {
  return schedule.phases.at(-1)?.end_date ?? null;
}

/** Mirrors `end_behavior=cancel` onto the subscription's `cancel_at` (and clears it otherwise). */
export function syncCancelAt(
  ctx: EmulatorContext,
  schedule: EmulatedSubscriptionSchedule,
  subscription: EmulatedSubscription,
  previousEnd: number | null,
): void {
  const before = toJson(subscription);
  const end = scheduleEnd(schedule);
  if (schedule.end_behavior === 'cancel' && end !== null) {
    if (subscription.cancel_at !== end) subscription.canceled_at = ctx.clock.now();
    subscription.cancel_at = end;
  } else if (previousEnd !== null && subscription.cancel_at === previousEnd) {
    subscription.cancel_at = null;
    subscription.canceled_at = null;
  }
  const previous = previousAttributes(before, toJson(subscription));
  if (Object.keys(previous).length > 0) {
    ctx.events.emit('customer.subscription.updated', subscription, previous);
  }
}

export function releaseSchedule(
  ctx: EmulatorContext,
  schedule: EmulatedSubscriptionSchedule,
  options: { at: number; preserveCancelDate: boolean },
): void {
  assertLive(schedule, 'release');
  const subscription = subscriptionOf(ctx, schedule);
  const before = toJson(schedule);
  const cancelEnd = schedule.end_behavior === 'cancel' ? scheduleEnd(schedule) : null;
  schedule.status = 'released';
  schedule.released_at = options.at;
  schedule.released_subscription = subscription?.id ?? null;
  schedule.subscription = null;
  schedule.current_phase = null;
  emitSchedule(ctx, 'subscription_schedule.released', schedule, before);
  if (!subscription) return;
  const subscriptionBefore = toJson(subscription);
  subscription.schedule = null;
  if (!options.preserveCancelDate && cancelEnd !== null && subscription.cancel_at === cancelEnd) {
    subscription.cancel_at = null;
    subscription.canceled_at = null;
  }
  ctx.events.emit(
    'customer.subscription.updated',
    subscription,
    previousAttributes(subscriptionBefore, toJson(subscription)),
  );
}

/** Called when a subscription ends, after `customer.subscription.deleted`. */
export function endScheduleWith(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
  ending: ScheduleEnding,
): void {
  const schedule = scheduleOf(ctx, subscription);
  if (!schedule) return;
  const now = ctx.clock.now();
  const before = toJson(schedule);
  schedule.current_phase = null;
  if (ending === 'completed') {
    schedule.status = 'completed';
    schedule.completed_at = now;
  } else {
    schedule.status = 'canceled';
    schedule.canceled_at = now;
  }
  emitSchedule(ctx, `subscription_schedule.${ending}`, schedule, before);
}

/**
 * A direct `subscriptions.update` of the items (allowed by Stripe while a schedule is attached)
 * is written into the current phase, so the schedule describes what the subscription has.
 */
export function syncCurrentPhase(ctx: EmulatorContext, subscription: EmulatedSubscription): void {
  const schedule = scheduleOf(ctx, subscription);
  const current = schedule?.current_phase;
  if (!schedule || !current) return;
  const phase = schedule.phases.find((candidate) => candidate.start_date === current.start_date);
  if (!phase) return;
  const before = toJson(schedule);
  phase.items = subscription.items.data.map((item) => ({
    billing_thresholds: null,
    discounts: [],
    metadata: {},
    plan: item.price.id,
    price: item.price.id,
    quantity: item.quantity,
    tax_rates: [],
  }));
  emitSchedule(ctx, 'subscription_schedule.updated', schedule, before);
}
