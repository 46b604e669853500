/**
 * A user's access read from the mirror: their subscriptions and the plans involved, then the
 * pure policy of access.ts. Takes `db | trx`, so the webhook reads it before and after a
 * change inside its own transaction.
 */
import type { Database, Subscription } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps';
import { FREE_PLAN_CODE } from '../catalog/plans.schemas';
import { type Access, computeAccess, pickLiveSubscription } from './access';

type Db = Kysely<Database>;

export type AccessDeps = Pick<Deps, 'config' | 'clock'>;

/**
 * The mirrored subscription that decides for a user (pickLiveSubscription: best status, then
 * newest; an ended one when nothing else is left), or null when they never had one. Every
 * reader of "the user's subscription" (access, usage periods, checkout, subscription.current)
 * asks this, so they cannot disagree about which one it is.
 */
export async function findLiveSubscription(db: Db, userId: string): Promise<Subscription | null> {
  const subscriptions = await db
    .selectFrom('subscriptions')
    .selectAll()
    .where('user_id', '=', userId)
    .execute();
  return pickLiveSubscription(subscriptions);
}

export async function loadAccess(db: Db, deps: AccessDeps, userId: string): Promise<Access> {
  const subscription = await findLiveSubscription(db, userId);
  const planIds = subscription?.plan_id ? [subscription.plan_id] : [];
  const plans = await db
    .selectFrom('plans')
    .select(['id', 'code', 'name', 'entitlements', 'included_operations'])
    .where((eb) =>
      planIds.length > 0
        ? eb.or([eb('code', '=', FREE_PLAN_CODE), eb('id', 'in', planIds)])
        : eb('code', '=', FREE_PLAN_CODE),
    )
    .execute();
  return computeAccess({
    subscription,
    plans,
    pastDueAccess: deps.config.billingPastDueAccess,
    now: deps.clock.now(),
  });
}
