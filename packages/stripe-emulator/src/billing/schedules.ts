// The subscription schedule calls an integration makes. `from_subscription` wraps a running
// subscription: one phase, its current items over its current period, `end_behavior=release`.
// `customer` + `phases` plans a subscription that the schedule creates at `start_date`. An update
// replaces the phases from the current one on — whose `start_date` cannot move, as Stripe insists
// — and changes the subscription now if the current phase's items changed (prorated per the
// request's `proration_behavior`). Cancel ends the subscription too; release leaves it running.
import type { EmulatorContext } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import { applyMetadata, type MetadataPatch } from '../http/params.ts';
import { previousAttributes, toJson } from '../json.ts';
import type { EmulatedCustomer } from '../objects/customer.ts';
import type { EmulatedSubscription } from '../objects/subscription.ts';
import {
  buildPhase,
  buildSchedule,
  type EmulatedSubscriptionSchedule,
} from '../objects/subscription-schedule.ts';
import { idOf } from './lookup.ts';
import {
  assertLive,
  emitSchedule,
  scheduleEnd,
  scheduleOf,
  subscriptionOf,
  syncCancelAt,
} from './schedule-lifecycle.ts';
import { type PhaseInput, resolvePhases } from './schedule-phases.ts';
import {
  itemChanges,
  phaseUpdate,
  plannedItems,
  runSchedule,
  scheduleDueAt,
  startSchedule,
} from './schedule-transitions.ts';
import { type ProrationBehavior, updateSubscription } from './subscription-update.ts';
import { currentPeriod, endSubscription } from './subscriptions.ts';

export type EndBehavior = 'cancel' | 'release';

const NOT_BACKDATED =
  'The emulator does not backdate subscription schedules: use `now` or a time in the future.';

export function createScheduleFromSubscription(
  ctx: EmulatorContext,
  subscription: EmulatedSubscription,
  metadata: Record<string, string>,
): EmulatedSubscriptionSchedule {
  if (['canceled', 'incomplete', 'incomplete_expired'].includes(subscription.status)) {
    throw invalidRequest(
      `You cannot create a subscription schedule from a subscription with status \`${subscription.status}\`.`,
      { param: 'from_subscription' },
    );
  }
  const attached = scheduleOf(ctx, subscription);
  if (attached) {
    throw invalidRequest(
      `The subscription \`${subscription.id}\` is already attached to the subscription schedule \`${attached.id}\`.`,
      { param: 'from_subscription' },
    );
  }
  const period = currentPeriod(subscription);
  const phase = buildPhase({
    items: subscription.items.data.map((item) => ({
      price: item.price.id,
      quantity: item.quantity ?? 1,
    })),
    currency: subscription.currency,
    startDate: period.start,
    endDate: period.end,
    prorationBehavior: 'create_prorations',
    metadata: {},
  });
  const schedule = buildSchedule(ctx.clock.now(), {
    customer: idOf(subscription.customer),
    endBehavior: 'release',
    metadata,
    phases: [phase],
  });
  schedule.status = 'active';
  schedule.subscription = subscription.id;
  schedule.current_phase = { start_date: period.start, end_date: period.end };
  ctx.store.subscriptionSchedules.set(schedule.id, schedule);
  ctx.events.emit('subscription_schedule.created', schedule);
  const before = toJson(subscription);
  subscription.schedule = schedule.id;
  ctx.events.emit(
    'customer.subscription.updated',
    subscription,
    previousAttributes(before, toJson(subscription)),
  );
  return schedule;
}

export interface PlannedSchedule {
  start: number | 'now';
  phases: PhaseInput[];
  endBehavior: EndBehavior;
  metadata: Record<string, string>;
}

export function createScheduleForCustomer(
  ctx: EmulatorContext,
  customer: EmulatedCustomer,
  plan: PlannedSchedule,
): EmulatedSubscriptionSchedule {
  const now = ctx.clock.now();
  const start = plan.start === 'now' ? now : plan.start;
  if (start < now) throw invalidRequest(NOT_BACKDATED, { param: 'start_date' });
  const phases = resolvePhases(ctx, plan.phases, { start, currentPrices: new Set() });
  const schedule = buildSchedule(now, {
    customer: customer.id,
    endBehavior: plan.endBehavior,
    metadata: plan.metadata,
    phases,
  });
  ctx.store.subscriptionSchedules.set(schedule.id, schedule);
  if (start <= now) startSchedule(ctx, schedule, 'subscription_schedule.created');
  else ctx.events.emit('subscription_schedule.created', schedule);
  return schedule;
}

export interface ScheduleUpdate {
  phases: PhaseInput[] | undefined;
  endBehavior: EndBehavior | undefined;
  metadata: MetadataPatch | undefined;
  prorationBehavior: ProrationBehavior;
}

function firstPhaseStart(
  ctx: EmulatorContext,
  schedule: EmulatedSubscriptionSchedule,
  given: number | 'now' | undefined,
): number {
  if (given === undefined) throw parameterMissing('phases[0][start_date]');
  const now = ctx.clock.now();
  const start = given === 'now' ? now : given;
  const current = schedule.current_phase;
  if (current && start !== current.start_date) {
    throw invalidRequest('You can not modify the start date of the current phase.', {
      param: 'phases[0][start_date]',
    });
  }
  if (!current && start < now)
    throw invalidRequest(NOT_BACKDATED, { param: 'phases[0][start_date]' });
  return start;
}

export function updateSchedule(
  ctx: EmulatorContext,
  schedule: EmulatedSubscriptionSchedule,
  update: ScheduleUpdate,
): EmulatedSubscriptionSchedule {
  assertLive(schedule, 'update');
  const subscription = subscriptionOf(ctx, schedule);
  const phases = update.phases
    ? resolvePhases(ctx, update.phases, {
        start: firstPhaseStart(ctx, schedule, update.phases[0]?.startDate),
        currentPrices: new Set(subscription?.items.data.map((item) => item.price.id) ?? []),
      })
    : undefined;

  const before = toJson(schedule);
  const previousEnd = scheduleEnd(schedule);
  const [first] = phases ?? [];
  if (phases) schedule.phases = phases;
  if (first && schedule.current_phase) {
    schedule.current_phase = { start_date: first.start_date, end_date: first.end_date };
  }
  if (update.endBehavior) schedule.end_behavior = update.endBehavior;
  schedule.metadata = applyMetadata(schedule.metadata ?? {}, update.metadata);
  emitSchedule(ctx, 'subscription_schedule.updated', schedule, before);

  if (subscription && schedule.status === 'active') {
    if (first) {
      const changes = itemChanges(subscription, plannedItems(ctx, subscription, first));
      updateSubscription(ctx, subscription, phaseUpdate(changes, update.prorationBehavior));
    }
    syncCancelAt(ctx, schedule, subscription, previousEnd);
  }
  // A first phase starting `now`, or a current phase ending `now`, takes effect in this request.
  const due = scheduleDueAt(schedule);
  if (due !== undefined && due <= ctx.clock.now()) runSchedule(ctx, schedule);
  return schedule;
}

/** Stripe's cancel: the schedule and, if it has one running, its subscription, now. */
export function cancelSchedule(
  ctx: EmulatorContext,
  schedule: EmulatedSubscriptionSchedule,
): EmulatedSubscriptionSchedule {
  assertLive(schedule, 'cancel');
  const now = ctx.clock.now();
  const subscription = subscriptionOf(ctx, schedule);
  if (subscription && subscription.status !== 'canceled') {
    endSubscription(ctx, subscription, { reason: 'cancellation_requested', endedAt: now });
    return schedule;
  }
  const before = toJson(schedule);
  schedule.status = 'canceled';
  schedule.canceled_at = now;
  schedule.current_phase = null;
  emitSchedule(ctx, 'subscription_schedule.canceled', schedule, before);
  return schedule;
}
