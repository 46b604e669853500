/**
 * Which plan a checkout or a plan change may sell, and at which Stripe price: one that
 * exists, is not the free tier, is not archived, and whose current terms are in Stripe
 * (after an admin's price change, the old price must not be sold while the sync is pending).
 */
import type { Plan, PlanPrice } from '@tollbooth/db';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { findPlanByCode } from '../catalog/plans.queries';
import { FREE_PLAN_CODE } from '../catalog/plans.schemas';
import { findPlanPrice } from './journey.queries';

export interface PurchasablePlan {
  plan: Plan;
  price: PlanPrice;
}

/** A price's cost per year, to tell an upgrade from a downgrade across intervals. */
export function yearlyCents(amountCents: number, interval: string, intervalCount = 1): number {
  const perYear: Record<string, number> = { day: 365, week: 52, month: 12, year: 1 };
  return (amountCents * (perYear[interval] ?? 1)) / Math.max(intervalCount, 1);
}

export async function requirePurchasablePlan(
  deps: Pick<Deps, 'db'>,
  code: string,
): Promise<PurchasablePlan> {
  const plan = await findPlanByCode(deps.db, code);
  if (!plan) {
    throw new AppError('PLAN_NOT_FOUND', `No plan with the code ${code}`, {
      fieldErrors: { plan: ['is not a plan'] },
    });
  }
  if (plan.code === FREE_PLAN_CODE) {
    throw new AppError(
      'PLAN_NOT_PURCHASABLE',
      'The free plan needs no subscription: to go back to it, cancel the subscription',
      { fieldErrors: { plan: ['is the free plan'] } },
    );
  }
  if (!plan.active) {
    throw new AppError('PLAN_ARCHIVED', `The plan ${code} is no longer offered`, {
      fieldErrors: { plan: ['is archived'] },
    });
  }
  const price = plan.stripe_price_id ? await findPlanPrice(deps.db, plan.stripe_price_id) : null;
  const current =
    price?.active === true &&
    price.amount_cents === plan.price_cents &&
    price.currency === plan.currency &&
    price.billing_interval === plan.billing_interval;
  if (!price || !current) {
    throw new AppError(
      'PLAN_NOT_SYNCED',
      `The plan ${code} is being set up with the payment provider; try again in a minute`,
    );
  }
  return { plan, price };
}
