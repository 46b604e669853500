/**
 * The user's subscription as Stripe has it now. Changes (plan change, cancel, resume) decide
 * on this, not on the mirror: a webhook may not have arrived yet, and acting on a stale row
 * would, say, offer a second checkout to someone who paid a second ago.
 */
import type Stripe from 'stripe';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { findBillingUser } from '../customers/customers.queries';
import { requireStripe } from '../stripe-client';
import { listUserSubscriptions } from './journey.queries';
import { callStripe } from './stripe-call';

export type JourneyDeps = Pick<
  Deps,
  'db' | 'stripe' | 'logger' | 'random' | 'config' | 'clock' | 'metrics'
>;

/** Statuses of a subscription that still exists for the customer (not ended). */
const RANK: Partial<Record<Stripe.Subscription.Status, number>> = {
  active: 0,
  trialing: 0,
  past_due: 1,
  unpaid: 2,
  incomplete: 3,
  paused: 3,
};

/** Of a customer's subscriptions, the live one that matters most (best status, newest). */
export function pickLiveStripeSubscription(
  subscriptions: readonly Stripe.Subscription[],
): Stripe.Subscription | null {
  let best: Stripe.Subscription | null = null;
  for (const candidate of subscriptions) {
    const rank = RANK[candidate.status];
    if (rank === undefined) continue;
    const bestRank = best
      ? (RANK[best.status] ?? Number.POSITIVE_INFINITY)
      : Number.POSITIVE_INFINITY;
    if (!best || rank < bestRank || (rank === bestRank && candidate.created > best.created)) {
      best = candidate;
    }
  }
  return best;
}

export async function liveStripeSubscription(
  deps: JourneyDeps,
  customerId: string,
): Promise<Stripe.Subscription | null> {
  const stripe = requireStripe(deps);
  const list = await callStripe(deps, 'subscriptions.list', () =>
    // Stripe's default list leaves ended subscriptions out.
    stripe.subscriptions.list({ customer: customerId, limit: 100 }),
  );
  return pickLiveStripeSubscription(list.data);
}

export interface LiveSubscription {
  customerId: string;
  subscription: Stripe.Subscription;
}

/**
 * The live subscription to act on, or NO_SUBSCRIPTION; after one has ended, SUBSCRIPTION_ENDED
 * (`action` names the use case in the message: "resume", "change").
 */
export async function requireLiveSubscription(
  deps: JourneyDeps,
  userId: string,
  action: string,
): Promise<LiveSubscription> {
  const stripe = requireStripe(deps);
  const customerId = (await findBillingUser(deps.db, userId))?.stripe_customer_id ?? null;
  const live = customerId ? await liveStripeSubscription(deps, customerId) : null;
  if (customerId && live) return { customerId, subscription: live };
  if (await hadSubscription(deps, stripe, userId, customerId)) {
    throw new AppError(
      'SUBSCRIPTION_ENDED',
      `The subscription has ended, so there is nothing to ${action}: start a new one with billing.checkout.create`,
    );
  }
  throw new AppError(
    'NO_SUBSCRIPTION',
    `There is no subscription to ${action}: start one with billing.checkout.create`,
  );
}

/** Whether the user ever had one: the mirror says so, or Stripe does (a webhook may lag). */
async function hadSubscription(
  deps: JourneyDeps,
  stripe: Stripe,
  userId: string,
  customerId: string | null,
): Promise<boolean> {
  if ((await listUserSubscriptions(deps.db, userId)).length > 0) return true;
  if (!customerId) return false;
  const ended = await callStripe(deps, 'subscriptions.list', () =>
    stripe.subscriptions.list({ customer: customerId, status: 'ended', limit: 1 }),
  );
  return ended.data.length > 0;
}

/** The subscription's one item (we sell one price per subscription). */
export function itemOf(subscription: Stripe.Subscription): Stripe.SubscriptionItem {
  const item = subscription.items.data[0];
  if (!item) throw new Error(`subscription ${subscription.id} has no item`);
  return item;
}
