/**
 * A user's access read from the mirror: their subscriptions and the plans involved, then the
 * pure policy of access.ts. Takes `db | trx`, so the webhook reads it before and after a
 * change inside its own transaction.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps';
import { FREE_PLAN_CODE } from '../catalog/plans.schemas';
import { type Access, computeAccess, pickLiveSubscription } from './access';

type Db = Kysely<Database>;

export type AccessDeps = Pick<Deps, 'config' | 'clock'>;

export async function loadAccess(db: Db, deps: AccessDeps, userId: string): Promise<Access> {
  const subscriptions = await db
    .selectFrom('subscriptions')
    .select([
      'id',
      'status',
      'plan_id',
      'current_period_end',
      'cancel_at_period_end',
      'cancel_at',
      'ended_at',
      'stripe_created',
    ])
    .where('user_id', '=', userId)
    .execute();
  const subscription = pickLiveSubscription(subscriptions);
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
