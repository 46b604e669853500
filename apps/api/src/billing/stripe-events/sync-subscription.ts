/**
 * Mirrors one subscription from a fresh read of Stripe: every subscription event (and the
 * invoice and checkout events that concern one) lands here, so the order events arrive in
 * never matters: whichever comes, the row becomes what Stripe says now. The side effects
 * (mail, audit) follow from the difference between the row before and after, so a change
 * is reported once however many events announce it.
 */
import type { NewSubscription } from '@tollbooth/db';
import { findPlanByStripePriceId } from '../catalog/plans.queries';
import { findCustomerOwner, findUserByCustomer, linkCustomer } from '../mirror/customers.queries';
import {
  fromUnix,
  type StripeSubscriptionView,
  userIdFromMetadata,
  ZStripeSchedule,
  ZStripeSubscription,
} from '../mirror/stripe-objects';
import { findSubscription, upsertSubscription } from '../mirror/subscriptions.queries';
import {
  type ApplyContext,
  applied,
  type HandlerResult,
  ignored,
  readStripe,
  requireSameCustomer,
} from './context';
import { reportSubscriptionChange } from './subscription-transitions';

/** The account a customer belongs to: the stored link, else our metadata (then linked). */
export async function resolveOwner(
  ctx: ApplyContext,
  customerId: string,
  metadata: Record<string, string>,
): Promise<{ id: string } | null> {
  const linked = await findUserByCustomer(ctx.trx, customerId);
  if (linked) return linked;
  const userId = userIdFromMetadata(metadata);
  const owner = userId ? await findCustomerOwner(ctx.trx, userId) : undefined;
  if (!owner) return null;
  if (await linkCustomer(ctx.trx, owner.id, customerId)) {
    await ctx.audit('billing.customer_linked', owner.id, { customer: customerId, via: 'metadata' });
  }
  return owner;
}

interface PendingChange {
  stripe_schedule_id: string | null;
  pending_plan_id: string | null;
  pending_change_at: Date | null;
}

const NO_PENDING_CHANGE: PendingChange = {
  stripe_schedule_id: null,
  pending_plan_id: null,
  pending_change_at: null,
};

/** A schedule's next phase on another price is a pending change (a downgrade at period end). */
async function readPendingChange(
  ctx: ApplyContext,
  subscription: StripeSubscriptionView,
  currentPriceId: string,
): Promise<PendingChange> {
  const scheduleId = subscription.schedule;
  if (!scheduleId) return NO_PENDING_CHANGE;
  const schedule = await readStripe(ZStripeSchedule, `subscription schedule ${scheduleId}`, () =>
    ctx.stripe.subscriptionSchedules.retrieve(scheduleId),
  );
  const none = { ...NO_PENDING_CHANGE, stripe_schedule_id: schedule.id };
  if (schedule.status !== 'active' && schedule.status !== 'not_started') return none;
  const currentEnd =
    schedule.current_phase?.end_date ?? Math.floor(ctx.deps.clock.now().getTime() / 1000);
  const next = schedule.phases
    .filter((phase) => phase.start_date >= currentEnd)
    .sort((a, b) => a.start_date - b.start_date)[0];
  const nextPrice = next?.items[0]?.price;
  if (!next || !nextPrice || nextPrice === currentPriceId) return none;
  const plan = await findPlanByStripePriceId(ctx.trx, nextPrice);
  return {
    stripe_schedule_id: schedule.id,
    pending_plan_id: plan?.id ?? null,
    pending_change_at: fromUnix(next.start_date),
  };
}

/** `customerId`: the customer whose lock the caller holds (context.ts, lockCustomer). */
export async function syncSubscription(
  ctx: ApplyContext,
  subscriptionId: string,
  customerId: string,
): Promise<HandlerResult> {
  const subscription = await readStripe(ZStripeSubscription, `subscription ${subscriptionId}`, () =>
    ctx.stripe.subscriptions.retrieve(subscriptionId),
  );
  requireSameCustomer(customerId, subscription.customer, `subscription ${subscriptionId}`);
  const owner = await resolveOwner(ctx, subscription.customer, subscription.metadata);
  if (!owner) return ignored(`customer ${subscription.customer} belongs to no account`);
  await ctx.touchUser(owner.id);

  const before = await findSubscription(ctx.trx, subscription.id);
  // One item per subscription is what checkout creates; the first decides the plan.
  const [item] = subscription.items.data;
  if (!item) return ignored('a subscription without items');
  const plan = await findPlanByStripePriceId(ctx.trx, item.price.id);
  if (!plan) {
    ctx.deps.logger.warn(
      { eventId: ctx.event.id, subscription: subscription.id, price: item.price.id },
      'subscription price maps to no plan: it grants nothing',
    );
  }
  const row: NewSubscription = {
    id: subscription.id,
    user_id: owner.id,
    stripe_customer_id: subscription.customer,
    status: subscription.status,
    plan_id: plan?.id ?? null,
    stripe_price_id: item.price.id,
    quantity: item.quantity ?? 1,
    current_period_start: fromUnix(item.current_period_start),
    current_period_end: fromUnix(item.current_period_end),
    cancel_at_period_end: subscription.cancel_at_period_end,
    cancel_at: fromUnix(subscription.cancel_at),
    canceled_at: fromUnix(subscription.canceled_at),
    ended_at: fromUnix(subscription.ended_at),
    trial_end: fromUnix(subscription.trial_end),
    ...(await readPendingChange(ctx, subscription, item.price.id)),
    stripe_created: fromUnix(subscription.created),
    synced_at: ctx.deps.clock.now(),
  };
  const after = await upsertSubscription(ctx.trx, row);
  await reportSubscriptionChange(ctx, before ?? null, after);
  return applied;
}
