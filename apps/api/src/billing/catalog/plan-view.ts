/**
 * What callers see of a plan. The public view is what a pricing page needs; the admin view
 * adds the Stripe ids, the sync state and every price the plan has had.
 */
import type { Plan, PlanPrice } from '@tollbooth/db';
import { type SyncView, toSyncView } from './catalog-admin';
import { FREE_PLAN_CODE } from './plans.schemas';

// Spelled out rather than imported from @tollbooth/db: these types are public (the SDK
// bundles them) and must not pull in the database package.
type PlanInterval = 'month' | 'year';
type PlanOverageMode = 'credits' | 'refuse' | 'invoice';

export interface PublicPlan {
  code: string;
  name: string;
  description: string | null;
  /** Integer cents, per `interval`; 0 for the free tier. */
  price: { amountCents: number; currency: string; interval: PlanInterval };
  /** Operations included each month. */
  includedOperations: number;
  /** Cents per operation beyond the allowance; null: no overage, usage stops there. */
  overagePriceCents: number | null;
  /** Beyond the allowance: `credits` pays with credits, `refuse` stops, `invoice` bills overagePriceCents. */
  overageMode: PlanOverageMode;
  monthlyCredits: number;
  entitlements: string[];
  /** The free tier: what a user without a subscription gets. */
  isFree: boolean;
  /** False once archived: no new subscriptions, existing ones keep it. */
  active: boolean;
  sortOrder: number;
}

export interface PlanPriceView {
  stripePriceId: string;
  amountCents: number;
  currency: string;
  interval: string;
  intervalCount: number;
  active: boolean;
  createdAt: string;
}

export interface AdminPlan extends PublicPlan {
  id: string;
  /** Bumped by every change; a sync makes Stripe match one version. */
  version: number;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
  stripe: { productId: string | null; priceId: string | null };
  sync: SyncView;
  /** Every Stripe price this plan has had, newest first; old ones still bill old subscribers. */
  prices: PlanPriceView[];
}

export function toPublicPlan(plan: Plan): PublicPlan {
  return {
    code: plan.code,
    name: plan.name,
    description: plan.description,
    price: {
      amountCents: plan.price_cents,
      currency: plan.currency,
      interval: plan.billing_interval,
    },
    includedOperations: plan.included_operations,
    overagePriceCents: plan.overage_price_cents,
    overageMode: plan.overage_mode,
    monthlyCredits: plan.monthly_credits,
    entitlements: plan.entitlements,
    isFree: plan.code === FREE_PLAN_CODE,
    active: plan.active,
    sortOrder: plan.sort_order,
  };
}

function toPriceView(price: PlanPrice): PlanPriceView {
  return {
    stripePriceId: price.stripe_price_id,
    amountCents: price.amount_cents,
    currency: price.currency,
    interval: price.billing_interval,
    intervalCount: price.interval_count,
    active: price.active,
    createdAt: price.created_at.toISOString(),
  };
}

export function toAdminPlan(plan: Plan, prices: PlanPrice[]): AdminPlan {
  return {
    ...toPublicPlan(plan),
    id: plan.id,
    version: plan.version,
    archivedAt: plan.archived_at?.toISOString() ?? null,
    createdAt: plan.created_at.toISOString(),
    updatedAt: plan.updated_at.toISOString(),
    stripe: { productId: plan.stripe_product_id, priceId: plan.stripe_price_id },
    sync: toSyncView(plan),
    prices: prices.filter((price) => price.plan_id === plan.id).map(toPriceView),
  };
}
