// /v1/subscription_schedules: create (`from_subscription`, or `customer` + `start_date` +
// `phases`), retrieve, list, update (`phases`, `end_behavior`, `metadata`,
// `proration_behavior`), cancel and release. Phases take `items[price, quantity]`, `end_date` or
// `duration[interval, interval_count]`, `proration_behavior` and `metadata`; on update also
// `start_date`. `end_behavior` is `release` or `cancel` (Stripe's legacy `none`/`renew` are not
// modelled) and the removed `iterations` is an unknown parameter, as at Stripe since 2025-09-30.
import { idOf, requireCustomer, requireSubscription } from '../billing/lookup.ts';
import { releaseSchedule } from '../billing/schedule-lifecycle.ts';
import type { PhaseInput } from '../billing/schedule-phases.ts';
import {
  cancelSchedule,
  createScheduleForCustomer,
  createScheduleFromSubscription,
  updateSchedule,
} from '../billing/schedules.ts';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest, parameterMissing, resourceMissing } from '../errors.ts';
import { inRange, paginate, readPage } from '../http/list.ts';
import { applyMetadata, type Params } from '../http/params.ts';
import { pathParam, type Router } from '../http/router.ts';
import { newestFirst } from '../store.ts';

const END_BEHAVIORS = ['cancel', 'release'] as const;
const PRORATIONS = ['always_invoice', 'create_prorations', 'none'] as const;
const INTERVALS = ['day', 'month', 'week', 'year'] as const;

/** A Unix timestamp, or `now` where Stripe accepts it. */
function timestamp(p: Params, key: string, allowNow: boolean): number | 'now' | undefined {
  if (allowNow && p.has(key) && p.string(key) === 'now') return 'now';
  return p.integer(key);
}

function readPhase(phase: Params, update: boolean): PhaseInput {
  const duration = phase.object('duration');
  const interval = duration?.enum('interval', INTERVALS);
  const intervalCount = duration?.integer('interval_count') ?? 1;
  if (duration && !interval) throw parameterMissing(duration.name('interval'));
  if (intervalCount < 1) {
    throw invalidRequest('This value must be greater than or equal to 1.', {
      param: duration?.name('interval_count'),
    });
  }
  return {
    items: phase.array('items')?.map((item) => {
      const quantity = item.integer('quantity');
      if (quantity !== undefined && quantity < 0) {
        throw invalidRequest('This value must be greater than or equal to 0.', {
          param: item.name('quantity'),
        });
      }
      return { price: item.string('price') || undefined, quantity };
    }),
    startDate: update ? timestamp(phase, 'start_date', true) : undefined,
    endDate: timestamp(phase, 'end_date', update),
    duration: interval ? { interval, intervalCount } : undefined,
    prorationBehavior: phase.enum('proration_behavior', PRORATIONS),
    metadata: applyMetadata({}, phase.metadata()),
  };
}

const readPhases = (p: Params, update: boolean) =>
  p.array('phases')?.map((phase) => readPhase(phase, update));

export function registerSubscriptionScheduleRoutes(router: Router, ctx: EmulatorContext): void {
  const requireSchedule = (id: string) => {
    const schedule = ctx.store.subscriptionSchedules.get(id);
    if (!schedule) throw resourceMissing('subscription_schedule', id);
    return schedule;
  };

  router.post('/v1/subscription_schedules', (p) => {
    const fromSubscription = p.string('from_subscription') || undefined;
    const customer = p.string('customer') || undefined;
    const start = timestamp(p, 'start_date', true);
    const endBehavior = p.enum('end_behavior', END_BEHAVIORS);
    const phases = readPhases(p, false);
    const metadata = applyMetadata({}, p.metadata());
    if (fromSubscription) {
      for (const key of ['customer', 'start_date', 'end_behavior', 'phases']) {
        if (p.has(key)) {
          throw invalidRequest(`You cannot set \`${key}\` if \`from_subscription\` is set.`, {
            param: key,
          });
        }
      }
    } else {
      if (!customer) {
        throw invalidRequest('You must provide either `customer` or `from_subscription`.', {
          param: 'customer',
        });
      }
      if (!phases) throw parameterMissing('phases');
      if (start === undefined) throw parameterMissing('start_date');
    }
    return () => {
      if (fromSubscription) {
        const subscription = requireSubscription(ctx, fromSubscription, 'from_subscription');
        return createScheduleFromSubscription(ctx, subscription, metadata);
      }
      const owner = requireCustomer(ctx, customer ?? '', 'customer');
      return createScheduleForCustomer(ctx, owner, {
        start: start ?? 'now',
        phases: phases ?? [],
        endBehavior: endBehavior ?? 'release',
        metadata,
      });
    };
  });

  router.get(
    '/v1/subscription_schedules/:id',
    (_p, path) => () => requireSchedule(pathParam(path)),
  );

  router.get('/v1/subscription_schedules', (p) => {
    const customer = p.string('customer');
    const scheduled = p.boolean('scheduled');
    const canceledAt = p.range('canceled_at');
    const completedAt = p.range('completed_at');
    const releasedAt = p.range('released_at');
    const page = readPage(p);
    const within = (value: number | null, range: typeof canceledAt) =>
      range === undefined || (value !== null && inRange(value, range));
    return () => {
      const schedules = newestFirst(ctx.store.subscriptionSchedules).filter(
        (schedule) =>
          (customer === undefined || idOf(schedule.customer) === customer) &&
          (scheduled === undefined || (schedule.status === 'not_started') === scheduled) &&
          within(schedule.canceled_at, canceledAt) &&
          within(schedule.completed_at, completedAt) &&
          within(schedule.released_at, releasedAt),
      );
      return paginate(schedules, page, '/v1/subscription_schedules', 'subscription_schedule');
    };
  });

  router.post('/v1/subscription_schedules/:id', (p, path) => {
    const phases = readPhases(p, true);
    const endBehavior = p.enum('end_behavior', END_BEHAVIORS);
    const metadata = p.metadata();
    const prorationBehavior = p.enum('proration_behavior', PRORATIONS) ?? 'create_prorations';
    return () =>
      updateSchedule(ctx, requireSchedule(pathParam(path)), {
        phases,
        endBehavior,
        metadata,
        prorationBehavior,
      });
  });

  router.post('/v1/subscription_schedules/:id/cancel', (p, path) => {
    // Accepted like Stripe; as with subscriptions, no final proration invoice is issued.
    p.boolean('invoice_now');
    p.boolean('prorate');
    return () => cancelSchedule(ctx, requireSchedule(pathParam(path)));
  });

  router.post('/v1/subscription_schedules/:id/release', (p, path) => {
    const preserveCancelDate = p.boolean('preserve_cancel_date') ?? false;
    return () => {
      const schedule = requireSchedule(pathParam(path));
      releaseSchedule(ctx, schedule, { at: ctx.clock.now(), preserveCancelDate });
      return schedule;
    };
  });
}
