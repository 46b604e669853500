/**
 * product.* / price.*: changes made in the Stripe dashboard show in the catalog. Every price
 * of a plan's product is recorded in plan_prices (so a subscription on a dashboard-made price
 * still maps to its plan) with Stripe's active flag; a product deactivated or reactivated in
 * the dashboard archives or restores its plan. The database stays the source of truth for
 * everything else: while a local change is still being synced (the plan is not `synced` at
 * its current version), Stripe's flag is older than ours and is left alone.
 */
import type { Plan } from '@tollbooth/db';
import { toPlanPriceRow } from '../catalog/plan-price-row';
import { upsertPlanPrice } from '../catalog/plans.queries';
import { type StripePriceView, ZStripePrice, ZStripeProduct } from '../mirror/stripe-objects';
import {
  type ApplyContext,
  applied,
  type HandlerResult,
  ignored,
  lockObject,
  ObjectMissing,
  readStripe,
} from './context';
import { objectIdOf } from './object-ref';

const STRIPE_ID = /^[A-Za-z0-9_]+$/;

async function planOfProduct(ctx: ApplyContext, productId: string): Promise<Plan | undefined> {
  return ctx.trx
    .selectFrom('plans')
    .selectAll()
    .where('stripe_product_id', '=', productId)
    .forUpdate()
    .executeTakeFirst();
}

/** A price or product the dashboard deleted: Stripe answers 404, and it is inactive for us. */
async function readOrGone<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ObjectMissing) return null;
    throw error;
  }
}

export async function applyPriceEvent(ctx: ApplyContext): Promise<HandlerResult> {
  const id = objectIdOf(ctx.event.object, 'price', STRIPE_ID);
  await lockObject(ctx.trx, `stripe:${id}`);
  const price = await readOrGone(() =>
    readStripe(ZStripePrice, `price ${id}`, () => ctx.stripe.prices.retrieve(id)),
  );
  if (!price) {
    await ctx.trx
      .updateTable('plan_prices')
      .set({ active: false })
      .where('stripe_price_id', '=', id)
      .execute();
    return applied;
  }
  const plan = await planOfProduct(ctx, price.product);
  if (!plan) return ignored(`price of product ${price.product}, which is no plan`);
  await recordPrice(ctx, plan, price);
  return applied;
}

async function recordPrice(ctx: ApplyContext, plan: Plan, price: StripePriceView) {
  const existing = await ctx.trx
    .selectFrom('plan_prices')
    .select(['active', 'plan_id'])
    .where('stripe_price_id', '=', price.id)
    .executeTakeFirst();
  await upsertPlanPrice(ctx.trx, toPlanPriceRow(plan.id, price));
  if (!existing || (existing.plan_id === plan.id && existing.active !== price.active)) {
    await ctx.audit('billing.plan_price_changed', null, {
      plan: plan.code,
      price: price.id,
      active: price.active,
      stripeEvent: ctx.event.id,
    });
  }
}

export async function applyProductEvent(ctx: ApplyContext): Promise<HandlerResult> {
  const id = objectIdOf(ctx.event.object, 'product', STRIPE_ID);
  await lockObject(ctx.trx, `stripe:${id}`);
  const product = await readOrGone(() =>
    readStripe(ZStripeProduct, `product ${id}`, () => ctx.stripe.products.retrieve(id)),
  );
  const plan = await planOfProduct(ctx, id);
  if (!plan) return ignored(`product ${id} is no plan`);
  const active = product?.active ?? false;
  const settled = plan.sync_state === 'synced' && plan.synced_version === plan.version;
  if (!settled) return ignored(`plan ${plan.code} has a change of its own still syncing`);
  if (active === plan.active) return applied;
  await ctx.trx
    .updateTable('plans')
    .set({ active, archived_at: active ? null : ctx.deps.clock.now() })
    .where('id', '=', plan.id)
    .execute();
  await ctx.audit(active ? 'billing.plan_updated' : 'billing.plan_archived', null, {
    plan: plan.code,
    active,
    via: 'stripe_dashboard',
    stripeEvent: ctx.event.id,
  });
  return applied;
}

/** product.* and price.* share one entry: the body's object says which. */
export async function applyCatalogObject(ctx: ApplyContext): Promise<HandlerResult> {
  return ctx.event.type.startsWith('price.') ? applyPriceEvent(ctx) : applyProductEvent(ctx);
}
