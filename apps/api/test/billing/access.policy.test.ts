/**
 * The access policy as a table (README, "Plans and billing"): which subscription statuses
 * grant the plan, what past_due does under each BILLING_PAST_DUE_ACCESS, and when a scheduled
 * end takes access away. Pure function, no database.
 */
import { describe, expect, it } from 'vitest';
import {
  type AccessPlan,
  type AccessSubscription,
  computeAccess,
  hasEntitlement,
  type PastDueAccess,
  pickLiveSubscription,
  type SubscriptionStatus,
} from '../../src/billing/access/access';

const NOW = new Date('2026-03-10T12:00:00Z');
const PERIOD_END = new Date('2026-04-01T00:00:00Z');

const FREE: AccessPlan = {
  id: 'p-free',
  code: 'free',
  name: 'Free',
  entitlements: ['basic_analysis'],
  included_operations: 10,
};
const TEAM: AccessPlan = {
  id: 'p-team',
  code: 'team',
  name: 'Team',
  entitlements: ['advanced_analysis', 'priority_support'],
  included_operations: 500,
};

function subscription(changes: Partial<AccessSubscription> = {}): AccessSubscription {
  return {
    status: 'active',
    plan_id: TEAM.id,
    current_period_end: PERIOD_END,
    cancel_at_period_end: false,
    cancel_at: null,
    ended_at: null,
    ...changes,
  };
}

function access(sub: AccessSubscription | null, pastDueAccess: PastDueAccess = 'keep') {
  return computeAccess({ subscription: sub, plans: [FREE, TEAM], pastDueAccess, now: NOW });
}

describe('access policy', () => {
  it('gives a user without a subscription the free plan, its entitlements and allowance', () => {
    expect(access(null)).toEqual({
      level: 'free',
      plan: { code: 'free', name: 'Free' },
      entitlements: ['basic_analysis'],
      includedOperations: 10,
      until: null,
      status: null,
    });
  });

  it.each<[SubscriptionStatus, PastDueAccess, 'free' | 'premium']>([
    ['active', 'keep', 'premium'],
    ['trialing', 'keep', 'premium'],
    ['past_due', 'keep', 'premium'],
    ['past_due', 'free', 'free'],
    ['active', 'free', 'premium'],
    ['unpaid', 'keep', 'free'],
    ['canceled', 'keep', 'free'],
    ['incomplete', 'keep', 'free'],
    ['incomplete_expired', 'keep', 'free'],
    ['paused', 'keep', 'free'],
  ])('status %s with BILLING_PAST_DUE_ACCESS=%s → %s', (status, pastDue, level) => {
    const result = access(subscription({ status }), pastDue);
    expect(result.level).toBe(level);
    expect(result.status).toBe(status);
    expect(result.plan.code).toBe(level === 'premium' ? 'team' : 'free');
    expect(result.includedOperations).toBe(level === 'premium' ? 500 : 10);
    expect(result.until).toEqual(level === 'premium' ? PERIOD_END : null);
  });

  it('keeps the plan until the period end after a cancellation at period end', () => {
    const result = access(subscription({ cancel_at_period_end: true }));
    expect(result).toMatchObject({ level: 'premium', until: PERIOD_END });
  });

  it('drops to free once the scheduled end has passed, before Stripe says deleted', () => {
    const ended = new Date(NOW.getTime() - 1_000);
    expect(
      access(subscription({ cancel_at_period_end: true, current_period_end: ended })).level,
    ).toBe('free');
    expect(access(subscription({ cancel_at: ended })).level).toBe('free');
    expect(access(subscription({ ended_at: ended })).level).toBe('free');
  });

  it('ends premium at cancel_at when that comes before the period end', () => {
    const cancelAt = new Date('2026-03-20T00:00:00Z');
    expect(access(subscription({ cancel_at: cancelAt })).until).toEqual(cancelAt);
  });

  it('grants nothing for a subscription whose price maps to no plan', () => {
    expect(access(subscription({ plan_id: null })).level).toBe('free');
    expect(access(subscription({ plan_id: 'p-unknown' })).level).toBe('free');
  });

  it('needs the free plan among the plans', () => {
    expect(() =>
      computeAccess({ subscription: null, plans: [TEAM], pastDueAccess: 'keep', now: NOW }),
    ).toThrow(/free plan/);
  });

  it('hasEntitlement answers from the access entitlements', () => {
    const team = access(subscription());
    expect(hasEntitlement(team, 'priority_support')).toBe(true);
    expect(hasEntitlement(team, 'basic_analysis')).toBe(false);
    expect(hasEntitlement(access(null), 'priority_support')).toBe(false);
  });

  it('picks the live subscription: best status first, then the newest', () => {
    const row = (id: string, status: SubscriptionStatus, created: string) => ({
      ...subscription({ status }),
      id,
      stripe_created: new Date(created),
    });
    const old = row('sub_old', 'canceled', '2026-01-01T00:00:00Z');
    const current = row('sub_new', 'active', '2025-12-01T00:00:00Z');
    const newer = row('sub_newer', 'active', '2026-02-01T00:00:00Z');
    expect(pickLiveSubscription([old, current])?.id).toBe('sub_new');
    expect(pickLiveSubscription([current, newer, old])?.id).toBe('sub_newer');
    expect(pickLiveSubscription([old])?.id).toBe('sub_old');
    expect(pickLiveSubscription([])).toBeNull();
  });
});
