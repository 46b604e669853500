/**
 * The quota a usage record counts against: the plan in force (billing/access, the same
 * policy as billing.access) and its current period. A paid monthly plan's period is the
 * mirrored subscription's current period; the free plan (and a yearly plan, whose allowance
 * is still per month) counts by calendar month in UTC.
 */
import type { Database, Plan, PlanOverageMode, Subscription } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { Access } from '../billing/access/access';
import { findLiveSubscription, loadAccess } from '../billing/access/load-access';
import { findPlanByCode } from '../billing/catalog/plans.queries';
import type { Deps } from '../deps';

type Db = Kysely<Database>;

export interface UsagePeriod {
  planCode: string;
  included: number;
  overageMode: PlanOverageMode;
  /** Cents per operation beyond the allowance (`invoice` mode bills it); null: none. */
  overagePriceCents: number | null;
  currency: string;
  /** The live subscription whose next invoice bills overage; null on the free plan. */
  subscriptionId: string | null;
  start: Date;
  end: Date;
}

/** [first instant of the month, first instant of the next) in UTC. */
export function calendarMonth(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

export async function loadUsagePeriod(
  db: Db,
  deps: Pick<Deps, 'config' | 'clock'>,
  userId: string,
): Promise<UsagePeriod> {
  return usagePeriodFor(db, deps, userId, await loadAccess(db, deps, userId));
}

/** The period of `access` (the user's, loaded by the caller who needs it too). */
export async function usagePeriodFor(
  db: Db,
  deps: Pick<Deps, 'clock'>,
  userId: string,
  access: Access,
): Promise<UsagePeriod> {
  const now = deps.clock.now();
  const plan: Plan | undefined = await findPlanByCode(db, access.plan.code);
  if (!plan) throw new Error(`plan ${access.plan.code} vanished`);
  const live = access.level === 'premium' ? await findLiveSubscription(db, userId) : null;
  const base = {
    planCode: plan.code,
    included: access.includedOperations,
    overageMode: plan.overage_mode,
    overagePriceCents: plan.overage_price_cents,
    currency: plan.currency,
    subscriptionId: live?.id ?? null,
  };
  if (live && plan.billing_interval === 'month') {
    const period = subscriptionPeriod(live, now);
    if (period) return { ...base, ...period };
  }
  return { ...base, ...calendarMonth(now) };
}

/** The live subscription's period, when it holds `now` (a stale mirror falls back to the month). */
function subscriptionPeriod(live: Subscription, now: Date) {
  const start = live.current_period_start;
  const end = live.current_period_end;
  if (!start || !end || start.getTime() > now.getTime() || end.getTime() <= now.getTime()) {
    return null;
  }
  return { start, end };
}
