/**
 * billing.subscription.change: move the live subscription to another plan, with Stripe's own
 * mechanisms, so Stripe's state says what will happen and the mirror follows from webhooks.
 *
 * - Upgrade (the new plan costs more per year, or the same): now, prorated to the second and
 *   invoiced now (`proration_behavior: always_invoice`): the user pays the difference for the
 *   rest of the period at once and has the new plan at once.
 * - Downgrade: at the end of the paid period, so the user keeps what they paid for. A
 *   subscription schedule holds it (`from_subscription`, then two phases: the current price
 *   until the period ends, the new one after; `end_behavior: release` hands the subscription
 *   back once the change is made). It shows as the pending change until then.
 * - Back to the current plan while a downgrade is pending: the schedule is released, which
 *   cancels the pending change. Same plan with nothing pending: SAME_PLAN.
 * - A subscription set to end (cancel at period end) may be upgraded (it still ends then), but
 *   not downgraded: there is no next period (SUBSCRIPTION_ENDING; resume first).
 * Decisions use Stripe's current state (a webhook may lag); every POST has its own key.
 */
import type Stripe from 'stripe';
import { AppError } from '../../errors/app-error';
import { findPlanByStripePriceId } from '../catalog/plans.queries';
import { requireStripe } from '../stripe-client';
import {
  itemOf,
  type JourneyDeps,
  type LiveSubscription,
  requireLiveSubscription,
} from './live-subscription';
import { requirePurchasablePlan, yearlyCents } from './purchasable-plan';
import { callStripe, requestIdempotencyKey } from './stripe-call';
import { releaseSchedule } from './subscription.service';
import type { PlanRef } from './views';

export interface PlanChange {
  /** upgraded: in effect now · downgrade_scheduled: at `effectiveAt` · pending_change_canceled: stays as is. */
  outcome: 'upgraded' | 'downgrade_scheduled' | 'pending_change_canceled';
  plan: PlanRef;
  effectiveAt: string;
}

const CHANGEABLE = new Set<Stripe.Subscription.Status>(['active', 'trialing']);

const isoOf = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

export async function changePlan(
  deps: JourneyDeps,
  userId: string,
  input: { plan: string },
): Promise<PlanChange> {
  const target = await requirePurchasablePlan(deps, input.plan);
  const live = await requireLiveSubscription(deps, userId, 'change');
  const { subscription } = live;
  if (!CHANGEABLE.has(subscription.status)) {
    throw new AppError(
      'SUBSCRIPTION_NOT_ACTIVE',
      `The subscription is ${subscription.status}: settle its open invoice in the billing portal before changing plan`,
    );
  }
  const item = itemOf(subscription);
  const currentPlan = await findPlanByStripePriceId(deps.db, item.price.id);
  const ref = { code: target.plan.code, name: target.plan.name };
  const periodEnd = isoOf(item.current_period_end);

  if (currentPlan?.id === target.plan.id) {
    if (!subscription.schedule) {
      throw new AppError('SAME_PLAN', `The subscription is on ${target.plan.name} already`, {
        fieldErrors: { plan: ['is the current plan'] },
      });
    }
    await releaseSchedule(deps, userId, subscription);
    return { outcome: 'pending_change_canceled', plan: ref, effectiveAt: periodEnd };
  }

  const currentYearly = yearlyCents(
    item.price.unit_amount ?? 0,
    item.price.recurring?.interval ?? 'month',
    item.price.recurring?.interval_count,
  );
  const targetYearly = yearlyCents(
    target.price.amount_cents,
    target.price.billing_interval,
    target.price.interval_count,
  );
  if (targetYearly >= currentYearly) {
    // A pending downgrade is superseded by the upgrade.
    await releaseSchedule(deps, userId, subscription);
    await upgradeNow(deps, userId, live, target.price.stripe_price_id);
    return { outcome: 'upgraded', plan: ref, effectiveAt: deps.clock.now().toISOString() };
  }
  if (subscription.cancel_at_period_end) {
    // It ends when the downgrade would start: there is no next period to put it in.
    throw new AppError(
      'SUBSCRIPTION_ENDING',
      'The subscription is set to end with this period: resume it (billing.subscription.resume) before scheduling a downgrade',
    );
  }
  await scheduleDowngrade(deps, userId, live, target.price.stripe_price_id);
  return { outcome: 'downgrade_scheduled', plan: ref, effectiveAt: periodEnd };
}

async function upgradeNow(
  deps: JourneyDeps,
  userId: string,
  live: LiveSubscription,
  priceId: string,
): Promise<void> {
  const stripe = requireStripe(deps);
  const item = itemOf(live.subscription);
  await callStripe(deps, 'subscriptions.update', () =>
    stripe.subscriptions.update(
      live.subscription.id,
      {
        items: [{ id: item.id, price: priceId }],
        proration_behavior: 'always_invoice',
      },
      { idempotencyKey: requestIdempotencyKey(deps, 'upgrade', userId) },
    ),
  );
}

/** The schedule that holds the subscription's future: its own, or one made from it now. */
async function scheduleOf(
  deps: JourneyDeps,
  userId: string,
  subscription: Stripe.Subscription,
): Promise<Stripe.SubscriptionSchedule> {
  const stripe = requireStripe(deps);
  const existing = subscription.schedule;
  if (existing) {
    const id = typeof existing === 'string' ? existing : existing.id;
    return callStripe(deps, 'subscriptionSchedules.retrieve', () =>
      stripe.subscriptionSchedules.retrieve(id),
    );
  }
  return callStripe(deps, 'subscriptionSchedules.create', () =>
    stripe.subscriptionSchedules.create(
      { from_subscription: subscription.id },
      { idempotencyKey: requestIdempotencyKey(deps, 'schedule-create', userId) },
    ),
  );
}

async function scheduleDowngrade(
  deps: JourneyDeps,
  userId: string,
  live: LiveSubscription,
  priceId: string,
): Promise<void> {
  const stripe = requireStripe(deps);
  const item = itemOf(live.subscription);
  const schedule = await scheduleOf(deps, userId, live.subscription);
  // The current phase keeps its start (Stripe refuses to move it) and ends with the period.
  const start = schedule.current_phase?.start_date ?? item.current_period_start;
  const quantity = item.quantity ?? 1;
  await callStripe(deps, 'subscriptionSchedules.update', () =>
    stripe.subscriptionSchedules.update(
      schedule.id,
      {
        end_behavior: 'release',
        proration_behavior: 'none',
        phases: [
          {
            items: [{ price: item.price.id, quantity }],
            start_date: start,
            end_date: item.current_period_end,
          },
          // The last phase lasts one interval of its price; then the schedule lets go and the
          // subscription renews on the new price as usual.
          { items: [{ price: priceId, quantity }] },
        ],
      },
      { idempotencyKey: requestIdempotencyKey(deps, 'downgrade', userId) },
    ),
  );
}
