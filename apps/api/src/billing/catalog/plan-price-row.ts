/**
 * A Stripe price as a plan_prices row, for both writers of that table: the sync (prices it
 * made or found) and the webhook (prices changed in the dashboard). Structural, so Stripe's
 * own `Stripe.Price` and the webhook's parsed view both fit.
 */
import type { NewPlanPrice } from '@tollbooth/db';

export interface StripePriceFacts {
  id: string;
  active: boolean;
  currency: string;
  unit_amount: number | null;
  recurring: { interval: string; interval_count: number } | null;
  /** Unix seconds. */
  created: number;
  metadata: Record<string, string>;
}

export function toPlanPriceRow(planId: string, price: StripePriceFacts): NewPlanPrice {
  // The plan version whose sync made the price; a dashboard-made price has none.
  const version = Number(price.metadata.tollbooth_plan_version);
  return {
    stripe_price_id: price.id,
    plan_id: planId,
    plan_version: Number.isSafeInteger(version) && version > 0 ? version : null,
    amount_cents: price.unit_amount ?? 0,
    currency: price.currency,
    billing_interval: price.recurring?.interval ?? 'one_time',
    interval_count: price.recurring?.interval_count ?? 1,
    active: price.active,
    created_at: new Date(price.created * 1000),
  };
}
