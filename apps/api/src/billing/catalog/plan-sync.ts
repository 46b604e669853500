/**
 * Making Stripe match a plan: one product per plan, one active price with the plan's terms.
 *
 * Guarantees:
 * - Latest wins: the job carries only the plan id and reads the row when it runs, so however
 *   many edits queued it, it pushes the newest version (and one job per plan is queued: the
 *   job key; one runs at a time: the plan's own queue).
 * - A retried sync never duplicates. The product's id is ours (`tb_plan_<plan id>`), so it is
 *   found, never re-created. A price is created only when no active price of the product
 *   already has the plan's terms, so a price made by an attempt whose answer was lost is
 *   found and adopted; its create call also carries an idempotency key derived from the plan
 *   id and version, which Stripe replays for 24 h. Every POST carries such a key.
 * - A price change creates a new price and deactivates every other active price of the
 *   product: subscribers keep the price they are on (Stripe bills inactive prices), and
 *   plan_prices keeps each id mapped to its plan.
 * - Archiving deactivates the product; its prices stay, for the subscribers on them.
 * - A failure is recorded on the plan (failed, the error, attempts) and rethrown, so the job
 *   queue retries with backoff.
 */
import type { Database, Plan } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import Stripe from 'stripe';
import type { Deps } from '../../deps';
import { enqueueJob } from '../../jobs/queue';
import { requireStripe } from '../stripe-client';
import { toPlanPriceRow } from './plan-price-row';
import { recordSyncFailure, recordSyncOutcome, startSyncAttempt } from './plan-sync.queries';

/** graphile-worker waits e^min(attempt, 10) s between tries: 25 tries span about four days. */
const PLAN_SYNC_MAX_ATTEMPTS = 25;

/** Queues a sync of the plan; call it in the transaction that changed the plan. */
export async function enqueuePlanSync(db: Kysely<Database>, planId: string): Promise<void> {
  await enqueueJob(
    db,
    'billing_sync_plan',
    { planId },
    {
      jobKey: `billing_sync_plan:${planId}`,
      queueName: `billing_plan:${planId}`,
      maxAttempts: PLAN_SYNC_MAX_ATTEMPTS,
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
    await recordSyncFailure(deps.db, planId, describeError(error));
    throw error;
  }
}

/** Idempotency keys: one per plan version and step, so a retry of the same step replays. */
function keyFor(plan: Plan, step: string): string {
  return `tollbooth:plan:${plan.id}:v${plan.version}:${step}`;
}

function planMetadata(plan: Plan): Record<string, string> {
  return { tollbooth_plan_id: plan.id, tollbooth_plan_code: plan.code };
}

async function pushPlan(stripe: Stripe, plan: Plan) {
  const product = await ensureProduct(stripe, plan);
  const existing = await stripe.prices.list({ product: product.id, limit: 100 }).autoPagingToArray({
    limit: 10_000,
  });
  const current = pickCurrentPrice(plan, existing) ?? (await createPrice(stripe, plan, product.id));
  const prices = [current, ...existing.filter((price) => price.id !== current.id)];
  const after: Stripe.Price[] = [];
  for (const price of prices) {
    after.push(
      price.active && price.id !== current.id
        ? await stripe.prices.update(
            price.id,
            { active: false },
            { idempotencyKey: keyFor(plan, `deactivate:${price.id}`) },
          )
        : price,
    );
  }
  return {
    productId: product.id,
    currentPriceId: current.id,
    prices: after.map((price) => toPlanPriceRow(plan.id, price)),
  };
}

async function ensureProduct(stripe: Stripe, plan: Plan): Promise<Stripe.Product> {
  const id = plan.stripe_product_id ?? stripeProductIdFor(plan.id);
  const product = (await retrieveProduct(stripe, id)) ?? (await createProduct(stripe, plan, id));
  if (product.metadata.tollbooth_plan_id !== plan.id) {
    throw new Error(`Stripe product ${id} does not belong to plan ${plan.code}`);
  }
  const unchanged =
    product.name === plan.name &&
    (product.description ?? null) === plan.description &&
    product.active === plan.active &&
    product.metadata.tollbooth_plan_code === plan.code;
  if (unchanged) return product;
  return stripe.products.update(
    id,
    {
      name: plan.name,
      // '' unsets it at Stripe.
      description: plan.description ?? '',
      active: plan.active,
      metadata: planMetadata(plan),
    },
    { idempotencyKey: keyFor(plan, 'product.update') },
  );
}

async function retrieveProduct(stripe: Stripe, id: string): Promise<Stripe.Product | null> {
  try {
    return await stripe.products.retrieve(id);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError && error.statusCode === 404) return null;
    throw error;
  }
}

async function createProduct(stripe: Stripe, plan: Plan, id: string): Promise<Stripe.Product> {
  try {
    return await stripe.products.create(
      {
        id,
        name: plan.name,
        ...(plan.description && { description: plan.description }),
        active: plan.active,
        metadata: planMetadata(plan),
      },
      { idempotencyKey: keyFor(plan, 'product.create') },
    );
  } catch (error) {
    // Created since we looked: take that one.
    if (error instanceof Stripe.errors.StripeError && error.code === 'resource_already_exists') {
      return stripe.products.retrieve(id);
    }
    throw error;
  }
}

function hasPlanTerms(plan: Plan, price: Stripe.Price): boolean {
  return (
    price.active &&
    price.type === 'recurring' &&
    price.unit_amount === plan.price_cents &&
    price.currency === plan.currency &&
    price.recurring?.interval === plan.billing_interval &&
    price.recurring.interval_count === 1
  );
}

/** The recorded current price if it still fits, else the newest fitting one (lists are newest first). */
function pickCurrentPrice(plan: Plan, prices: Stripe.Price[]): Stripe.Price | undefined {
  const fitting = prices.filter((price) => hasPlanTerms(plan, price));
  return fitting.find((price) => price.id === plan.stripe_price_id) ?? fitting[0];
}

function createPrice(stripe: Stripe, plan: Plan, productId: string): Promise<Stripe.Price> {
  return stripe.prices.create(
    {
      product: productId,
      currency: plan.currency,
      unit_amount: plan.price_cents,
      recurring: { interval: plan.billing_interval },
      nickname: plan.name,
      metadata: { ...planMetadata(plan), tollbooth_plan_version: String(plan.version) },
    },
    { idempotencyKey: keyFor(plan, 'price.create') },
  );
}

/** What an admin reads in the plan's sync state: the kind of failure and Stripe's message. */
function describeError(error: unknown): string {
  if (error instanceof Stripe.errors.StripeError) {
    return `Stripe ${error.type}${error.code ? ` (${error.code})` : ''}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
