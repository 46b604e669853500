/**
 * Making Stripe match a plan: one product per plan (`tb_plan_<plan id>`), one active
 * recurring price with the plan's terms (the rules every catalog item shares, retries that
 * never duplicate and price changes that make a new price: stripe-product-sync.ts).
 *
 * Guarantees of the plan's job:
 * - Latest wins: the job carries only the plan id and reads the row when it runs, so however
 *   many edits queued it, it pushes the newest version (and one job per plan is queued: the
 *   job key; one runs at a time: the plan's own queue).
 * - Every price the product has is recorded in plan_prices, so an old price id still maps
 *   to its plan.
 * - Archiving deactivates the product; its prices stay, for the subscribers on them.
 * - A failure is recorded on the plan (failed, the error, attempts) and rethrown, so the job
 *   queue retries with backoff.
 */
import type { Database, Plan } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { Deps } from '../../deps';
import { enqueueJob } from '../../jobs/queue';
import { requireStripe } from '../stripe-client';
import { toPlanPriceRow } from './plan-price-row';
import { recordSyncFailure, recordSyncOutcome, startSyncAttempt } from './plan-sync.queries';
import {
  CATALOG_SYNC_MAX_ATTEMPTS,
  type CatalogItem,
  describeSyncError,
  pushCatalogItem,
} from './stripe-product-sync';

/** Queues a sync of the plan; call it in the transaction that changed the plan. */
export async function enqueuePlanSync(db: Kysely<Database>, planId: string): Promise<void> {
  await enqueueJob(
    db,
    'billing_sync_plan',
    { planId },
    {
      jobKey: `billing_sync_plan:${planId}`,
      queueName: `billing_plan:${planId}`,
      maxAttempts: CATALOG_SYNC_MAX_ATTEMPTS,
    },
  );
}

/** Ours, so a second create finds the first instead of making a twin. */
export function stripeProductIdFor(planId: string): string {
  return `tb_plan_${planId.replaceAll('-', '')}`;
}

export type PlanSyncDeps = Pick<Deps, 'db' | 'stripe' | 'clock'>;

/** The job: one attempt at making Stripe match the plan as it is now. */
export async function syncPlan(deps: PlanSyncDeps, planId: string): Promise<void> {
  const plan = await startSyncAttempt(deps.db, planId);
  if (!plan) return; // the free tier, or no such plan: nothing to send
  try {
    const outcome = await pushPlan(requireStripe(deps), plan);
    await recordSyncOutcome(deps.db, plan, outcome, deps.clock.now());
  } catch (error) {
    await recordSyncFailure(deps.db, planId, describeSyncError(error));
    throw error;
  }
}

/** The plan as a catalog item: a recurring price; keys per plan version and step. */
function planItem(plan: Plan): CatalogItem {
  const metadata = { tollbooth_plan_id: plan.id, tollbooth_plan_code: plan.code };
  return {
    product: {
      id: plan.stripe_product_id ?? stripeProductIdFor(plan.id),
      name: plan.name,
      description: plan.description,
      active: plan.active,
      metadata,
      ownerKey: 'tollbooth_plan_id',
    },
    price: {
      unitAmount: plan.price_cents,
      currency: plan.currency,
      recurring: { interval: plan.billing_interval },
      nickname: plan.name,
      metadata: { ...metadata, tollbooth_plan_version: String(plan.version) },
    },
    currentPriceId: plan.stripe_price_id,
    keyPrefix: `tollbooth:plan:${plan.id}:v${plan.version}`,
  };
}

async function pushPlan(stripe: Stripe, plan: Plan) {
  const outcome = await pushCatalogItem(stripe, planItem(plan));
  return { ...outcome, prices: outcome.prices.map((price) => toPlanPriceRow(plan.id, price)) };
}
