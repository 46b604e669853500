/**
 * What a user may do now, computed from the mirrored subscription and the plans: a pure
 * function, so the policy below is one table with one test, and every caller (billing.access,
 * the webhook's `access.changed` comparison, servers checking an entitlement) agrees.
 *
 * Policy (README, "Plans and billing"):
 * - no subscription → the free plan;
 * - `active` / `trialing` → the subscription's plan;
 * - `past_due` → the plan while Stripe retries the payment (BILLING_PAST_DUE_ACCESS=keep, the
 *   default), or the free plan at once (=free);
 * - `unpaid`, `canceled`, `incomplete`, `incomplete_expired`, `paused` → the free plan
 *   (`paused` is a trial that ended without a card: nothing is paid for).
 * A subscription whose scheduled end (`cancel_at`, or the period end with
 * `cancel_at_period_end`) or `ended_at` has passed grants nothing, even before Stripe's
 * `deleted` arrives: the user asked for that end and has not paid beyond it. A subscription
 * whose price maps to no plan grants nothing either (we cannot say what it entitles).
 */
import { FREE_PLAN_CODE } from '../catalog/plans.schemas';

// Spelled out rather than imported from @tollbooth/db: the SDK bundles these public types.
export type SubscriptionStatus =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'canceled'
  | 'unpaid'
  | 'paused';

export type PastDueAccess = 'keep' | 'free';

export type AccessLevel = 'free' | 'premium';

export interface Access {
  level: AccessLevel;
  plan: { code: string; name: string };
  /** Feature keys the user has now (`api_access`, `registry:pull`). */
  entitlements: string[];
  /** Operations included each month. */
  includedOperations: number;
  /** Premium: paid through this instant (renewal, or the scheduled end). Free: null. */
  until: Date | null;
  /** The subscription's Stripe status; null without a subscription. */
  status: SubscriptionStatus | null;
}

/** The fields of a plan row access reads. */
export interface AccessPlan {
  id: string;
  code: string;
  name: string;
  entitlements: string[];
  included_operations: number;
}

/** The fields of a subscription row access reads. */
export interface AccessSubscription {
  status: SubscriptionStatus;
  plan_id: string | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  cancel_at: Date | null;
  ended_at: Date | null;
}

export interface AccessInput {
  /** The user's live subscription (pickLiveSubscription), or null. */
  subscription: AccessSubscription | null;
  /** The plans involved: the free plan and the subscription's plan, in any order. */
  plans: readonly AccessPlan[];
  pastDueAccess: PastDueAccess;
  now: Date;
}

const GRANTING: Record<SubscriptionStatus, (pastDue: PastDueAccess) => boolean> = {
  active: () => true,
  trialing: () => true,
  past_due: (pastDue) => pastDue === 'keep',
  unpaid: () => false,
  canceled: () => false,
  incomplete: () => false,
  incomplete_expired: () => false,
  paused: () => false,
};

/** When a subscription stops granting anything, as far as its row knows. */
export function scheduledEnd(subscription: AccessSubscription): Date | null {
  if (subscription.ended_at) return subscription.ended_at;
  if (subscription.cancel_at) return subscription.cancel_at;
  if (subscription.cancel_at_period_end) return subscription.current_period_end;
  return null;
}

export function computeAccess(input: AccessInput): Access {
  const { subscription, plans, pastDueAccess, now } = input;
  const free = plans.find((plan) => plan.code === FREE_PLAN_CODE);
  if (!free) throw new Error('computeAccess needs the free plan among the plans');
  const status = subscription?.status ?? null;
  const plan = subscription?.plan_id
    ? plans.find((candidate) => candidate.id === subscription.plan_id)
    : undefined;
  const end = subscription ? scheduledEnd(subscription) : null;
  const granting =
    subscription !== null &&
    plan !== undefined &&
    plan.code !== FREE_PLAN_CODE &&
    GRANTING[subscription.status](pastDueAccess) &&
    (end === null || end.getTime() > now.getTime());
  if (!granting) return { ...viewOf(free), level: 'free', until: null, status };
  return {
    ...viewOf(plan),
    level: 'premium',
    until: end ?? subscription.current_period_end,
    status,
  };
}

function viewOf(plan: AccessPlan): Pick<Access, 'plan' | 'entitlements' | 'includedOperations'> {
  return {
    plan: { code: plan.code, name: plan.name },
    entitlements: [...plan.entitlements],
    includedOperations: plan.included_operations,
  };
}

/** For servers: `if (!hasEntitlement(access, 'api_access')) …`. */
export function hasEntitlement(access: Pick<Access, 'entitlements'>, key: string): boolean {
  return access.entitlements.includes(key);
}

/** Two accesses grant the same thing (what `access.changed` compares). */
export function sameAccess(a: Access, b: Access): boolean {
  return (
    a.level === b.level &&
    a.plan.code === b.plan.code &&
    a.status === b.status &&
    a.includedOperations === b.includedOperations &&
    (a.until?.getTime() ?? null) === (b.until?.getTime() ?? null) &&
    a.entitlements.length === b.entitlements.length &&
    a.entitlements.every((key, index) => b.entitlements[index] === key)
  );
}

/** JSON for the outbox and the wire: dates as ISO strings. */
export function accessJson(access: Access) {
  return { ...access, until: access.until?.toISOString() ?? null };
}

const STATUS_RANK: Record<SubscriptionStatus, number> = {
  active: 0,
  trialing: 0,
  past_due: 1,
  unpaid: 2,
  incomplete: 3,
  paused: 3,
  canceled: 4,
  incomplete_expired: 4,
};

/**
 * Of a user's subscriptions (old canceled ones included), the one that decides access: the
 * best status, then the newest. Stripe allows several; checkout refuses a second live one.
 */
export function pickLiveSubscription<
  T extends AccessSubscription & { stripe_created: Date; id: string },
>(subscriptions: readonly T[]): T | null {
  let best: T | null = null;
  for (const candidate of subscriptions) {
    if (
      !best ||
      STATUS_RANK[candidate.status] < STATUS_RANK[best.status] ||
      (STATUS_RANK[candidate.status] === STATUS_RANK[best.status] &&
        (candidate.stripe_created.getTime() > best.stripe_created.getTime() ||
          (candidate.stripe_created.getTime() === best.stripe_created.getTime() &&
            candidate.id > best.id)))
    ) {
      best = candidate;
    }
  }
  return best;
}
