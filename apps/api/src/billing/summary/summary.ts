/**
 * billing.summary: one page of where a user stands, built from local state only (the
 * subscription mirror, the plan catalog, the usage counter and records, the credit balance),
 * so it answers fast and while Stripe is slow or not configured.
 *
 * - Plan and period: billing.access's plan and usage.record's period (usage-period.ts: the
 *   subscription's current period on a paid monthly plan, else the calendar month in UTC).
 * - Operations: included used and included in the period (the period's counter).
 * - Overage so far: the operations beyond the allowance in the period, their cost at the
 *   plan's overage price (null without one), what of them was paid with credits as it
 *   happened, and what is left to bill on the invoice (overage.queries.ts).
 * - The next invoice, for a subscription that renews: due at the end of the current billing
 *   period, estimated as the price of the next period (the subscribed price × quantity; for a
 *   downgrade scheduled at that end, the new plan's price) plus the overage billed so far in
 *   the billing period. Null when nothing is due: no paid plan, or an end (a cancel) is
 *   scheduled at or before that date. An estimate: taxes, discounts, prorations and Stripe's
 *   own rounding are Stripe's, not ours.
 */
import type { Database, Plan, Subscription } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { findBalance } from '../../credits/ledger/ledger.queries';
import type { Deps } from '../../deps';
import { loadQuota, type QuotaView, quotaView } from '../../usage/usage-quota';
import { type AccessLevel, type SubscriptionStatus, scheduledEnd } from '../access/access';
import { findLiveSubscription, loadAccess } from '../access/load-access';
import { findPlanByCode, findPlanById } from '../catalog/plans.queries';
import { findPlanPrice } from '../journey/journey.queries';
import { type OverageSums, sumOverage } from './overage.queries';

type Db = Kysely<Database>;

export interface OverageView {
  /** Operations beyond the included ones in the period. */
  operations: number;
  /** The plan's price per operation beyond the allowance; null when it has none. */
  unitPriceCents: number | null;
  /** `operations × unitPriceCents`; null when the plan has no overage price. */
  costCents: number | null;
  /** Of those operations, the ones paid with credits when recorded, and the credits spent. */
  paidWithCredits: { operations: number; credits: number };
  /** What the rest costs on the next invoice (0 when credits paid for everything). */
  billedCents: number;
}

export interface NextInvoiceView {
  /** The end of the current billing period, when the subscription renews. */
  date: string;
  currency: string;
  /** The plan billed for the next period (the scheduled one, after a downgrade). */
  plan: { code: string; name: string };
  /** The next period's price (subscribed price × quantity, or the new plan's after a downgrade). */
  priceCents: number;
  /** Overage billed so far in the billing period. */
  overageCents: number;
  /** `priceCents + overageCents`. */
  estimatedCents: number;
}

export interface BillingSummary {
  userId: string;
  plan: {
    code: string;
    name: string;
    level: AccessLevel;
    /** The subscription's Stripe status; null without one. */
    status: SubscriptionStatus | null;
  };
  /** The usage period and its included operations. */
  operations: QuotaView;
  overage: OverageView;
  creditBalance: number;
  nextInvoice: NextInvoiceView | null;
}

export async function billingSummary(
  deps: Pick<Deps, 'db' | 'config' | 'clock'>,
  userId: string,
): Promise<BillingSummary> {
  const { db } = deps;
  const access = await loadAccess(db, deps, userId);
  const quota = await loadQuota(db, deps, userId, access);
  const plan = await requirePlan(db, access.plan.code);
  const period = quota.period;
  const overage = await sumOverage(db, { userId, from: period.start, to: period.end });
  const subscription = access.level === 'premium' ? await findLiveSubscription(db, userId) : null;
  return {
    userId,
    plan: { ...access.plan, level: access.level, status: access.status },
    operations: quotaView(quota),
    overage: overageView(plan, overage),
    creditBalance: await findBalance(db, userId),
    nextInvoice: subscription
      ? await nextInvoice(db, { userId, plan, subscription, periodOverage: { period, overage } })
      : null,
  };
}

async function requirePlan(db: Db, code: string): Promise<Plan> {
  const plan = await findPlanByCode(db, code);
  if (!plan) throw new Error(`plan ${code} vanished`);
  return plan;
}

function overageView(plan: Plan, sums: OverageSums): OverageView {
  const unit = plan.overage_price_cents;
  return {
    operations: sums.operations,
    unitPriceCents: unit,
    costCents: unit === null ? null : sums.operations * unit,
    paidWithCredits: { operations: sums.creditOperations, credits: sums.creditsSpent },
    billedCents: sums.billedCents,
  };
}

async function nextInvoice(
  db: Db,
  args: {
    userId: string;
    plan: Plan;
    subscription: Subscription;
    /** The usage period's sums, reused when the billing period is the same window. */
    periodOverage: { period: { start: Date; end: Date }; overage: OverageSums };
  },
): Promise<NextInvoiceView | null> {
  const { subscription, plan } = args;
  const start = subscription.current_period_start;
  const date = subscription.current_period_end;
  if (!start || !date) return null;
  const end = scheduledEnd(subscription);
  if (end && end.getTime() <= date.getTime()) return null;

  const next = await nextPeriodPrice(db, subscription, plan, date);
  // A yearly plan counts usage by month but bills once a year: sum its whole billing period.
  const { period, overage } = args.periodOverage;
  const sameWindow =
    period.start.getTime() === start.getTime() && period.end.getTime() === date.getTime();
  const billed = sameWindow
    ? overage
    : await sumOverage(db, { userId: args.userId, from: start, to: date });
  const overageCents = billed.billedCents;
  return {
    date: date.toISOString(),
    currency: next.currency,
    plan: { code: next.plan.code, name: next.plan.name },
    priceCents: next.priceCents,
    overageCents,
    estimatedCents: next.priceCents + overageCents,
  };
}

/** What the next period costs: the scheduled plan's price after a downgrade, else the subscribed price. */
async function nextPeriodPrice(db: Db, subscription: Subscription, plan: Plan, renewal: Date) {
  const quantity = subscription.quantity;
  const pendingAt = subscription.pending_change_at;
  if (subscription.pending_plan_id && pendingAt && pendingAt.getTime() <= renewal.getTime()) {
    const pending = await findPlanById(db, subscription.pending_plan_id);
    if (pending) {
      return {
        plan: pending,
        priceCents: pending.price_cents * quantity,
        currency: pending.currency,
      };
    }
  }
  // Stripe bills the price subscribed to, which may be older than the plan's current one.
  const price = subscription.stripe_price_id
    ? await findPlanPrice(db, subscription.stripe_price_id)
    : undefined;
  return {
    plan,
    priceCents: (price?.amount_cents ?? plan.price_cents) * quantity,
    currency: price?.currency ?? plan.currency,
  };
}
