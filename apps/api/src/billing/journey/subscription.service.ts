/**
 * billing.subscription.current / cancel / resume.
 *
 * Reading is from the mirror (fast, works while Stripe is slow). Cancel and resume decide on
 * Stripe's current state and only ask Stripe for the change: the mirror follows from the
 * webhook it causes, so there is one code path that writes subscription state.
 */

import type Stripe from 'stripe';
import { z } from 'zod';
import type { SubscriptionStatus } from '../access/access';
import { findLiveSubscription } from '../access/load-access';
import { SUBSCRIPTION_STATUSES } from '../mirror/stripe-objects';
import { requireStripe } from '../stripe-client';
import { findPlanPrice, findPlansByIds } from './journey.queries';
import {
  itemOf,
  type JourneyDeps,
  type LiveSubscription,
  requireLiveSubscription,
} from './live-subscription';
import { callStripe, requestIdempotencyKey } from './stripe-call';
import type { SubscriptionView } from './views';
import { toSubscriptionView } from './views';

/** Ended subscriptions are history (invoices, billing.history), not "the current one". */
const ENDED = new Set(['canceled', 'incomplete_expired']);

export async function currentSubscription(
  deps: Pick<JourneyDeps, 'db'>,
  userId: string,
): Promise<SubscriptionView | null> {
  const row = await findLiveSubscription(deps.db, userId);
  if (!row || ENDED.has(row.status)) return null;
  const planIds = [row.plan_id, row.pending_plan_id].filter((id): id is string => id !== null);
  const plans = await findPlansByIds(deps.db, planIds);
  const price = row.stripe_price_id ? await findPlanPrice(deps.db, row.stripe_price_id) : undefined;
  return toSubscriptionView(row, plans, price);
}

const ZSubscriptionStatus = z.enum(SUBSCRIPTION_STATUSES);

/** What cancel and resume answer: Stripe's state right after the change. */
export interface CancellationState {
  id: string;
  // Our spelling of Stripe's statuses: the SDK's bundled types must not import `stripe`.
  status: SubscriptionStatus;
  cancelAtPeriodEnd: boolean;
  /** The end of the paid period: when it ends (cancel) or renews (resume). */
  currentPeriodEnd: string;
}

function stateOf(subscription: Stripe.Subscription): CancellationState {
  return {
    id: subscription.id,
    status: ZSubscriptionStatus.parse(subscription.status),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    currentPeriodEnd: new Date(itemOf(subscription).current_period_end * 1000).toISOString(),
  };
}

/**
 * Stripe refuses cancellation changes on a subscription a schedule manages; a scheduled
 * downgrade means nothing once the subscription ends, so it is released first.
 */
export async function releaseSchedule(
  deps: JourneyDeps,
  userId: string,
  subscription: Stripe.Subscription,
): Promise<void> {
  const schedule = subscription.schedule;
  if (!schedule) return;
  const scheduleId = typeof schedule === 'string' ? schedule : schedule.id;
  const stripe = requireStripe(deps);
  await callStripe(deps, 'subscriptionSchedules.release', () =>
    stripe.subscriptionSchedules.release(
      scheduleId,
      {},
      { idempotencyKey: requestIdempotencyKey(deps, 'schedule-release', userId) },
    ),
  );
}

async function setCancelAtPeriodEnd(
  deps: JourneyDeps,
  userId: string,
  live: LiveSubscription,
  cancel: boolean,
): Promise<CancellationState> {
  const stripe = requireStripe(deps);
  const updated = await callStripe(deps, 'subscriptions.update', () =>
    stripe.subscriptions.update(
      live.subscription.id,
      { cancel_at_period_end: cancel },
      { idempotencyKey: requestIdempotencyKey(deps, cancel ? 'cancel' : 'resume', userId) },
    ),
  );
  return stateOf(updated);
}

/** Ends the subscription at the end of the paid period; access stays until then. */
export async function cancelSubscription(
  deps: JourneyDeps,
  userId: string,
): Promise<CancellationState> {
  const live = await requireLiveSubscription(deps, userId, 'cancel');
  if (live.subscription.cancel_at_period_end) return stateOf(live.subscription);
  await releaseSchedule(deps, userId, live.subscription);
  return setCancelAtPeriodEnd(deps, userId, live, true);
}

/** Undoes a scheduled cancel; after the end there is nothing to resume (SUBSCRIPTION_ENDED). */
export async function resumeSubscription(
  deps: JourneyDeps,
  userId: string,
): Promise<CancellationState> {
  const live = await requireLiveSubscription(deps, userId, 'resume');
  if (!live.subscription.cancel_at_period_end) return stateOf(live.subscription);
  return setCancelAtPeriodEnd(deps, userId, live, false);
}
