/**
 * What is left of a user's included operations in the current period, as billing.access and
 * billing.summary show it. The period and the allowance are usage-period.ts's (the ones
 * usage.record counts against), and `used` is the period's counter, so the three agree.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { Access } from '../billing/access/access';
import type { Deps } from '../deps';
import { findCounter } from './usage.queries';
import { type UsagePeriod, usagePeriodFor } from './usage-period';

export interface Quota {
  period: UsagePeriod;
  /** Included operations taken in the period. */
  used: number;
  /** Included operations left: the plan's allowance now, less what was taken. */
  remaining: number;
}

/** JSON for the wire (billing.access, billing.summary). */
export interface QuotaView {
  included: number;
  used: number;
  remaining: number;
  period: { start: string; end: string };
}

export async function loadQuota(
  db: Kysely<Database>,
  deps: Pick<Deps, 'clock'>,
  userId: string,
  access: Access,
): Promise<Quota> {
  const period = await usagePeriodFor(db, deps, userId, access);
  const counter = await findCounter(db, userId, period.start);
  const used = counter?.used ?? 0;
  // A downgrade mid-period can leave more taken than the new allowance: nothing is left.
  return { period, used, remaining: Math.max(0, period.included - used) };
}

export function quotaView(quota: Quota): QuotaView {
  return {
    included: quota.period.included,
    used: quota.used,
    remaining: quota.remaining,
    period: { start: quota.period.start.toISOString(), end: quota.period.end.toISOString() },
  };
}
