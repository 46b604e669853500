/**
 * customer.subscription.* and subscription_schedule.*: whatever the event says, the
 * subscription is re-read and mirrored as it is now (sync-subscription.ts). A schedule event
 * matters because a scheduled downgrade changes only the schedule, not the subscription.
 */
import { ZStripeSchedule } from '../mirror/stripe-objects';
import {
  type ApplyContext,
  type HandlerResult,
  ignored,
  lockCustomer,
  readStripe,
} from './context';
import { objectIdOf, requireCustomerOf } from './object-ref';
import { syncSubscription } from './sync-subscription';

export async function applySubscriptionEvent(ctx: ApplyContext): Promise<HandlerResult> {
  const id = objectIdOf(ctx.event.object, 'subscription', /^sub_[A-Za-z0-9]+$/);
  const customer = requireCustomerOf(ctx.event.object);
  await lockCustomer(ctx.trx, customer);
  return syncSubscription(ctx, id, customer);
}

export async function applyScheduleEvent(ctx: ApplyContext): Promise<HandlerResult> {
  const id = objectIdOf(ctx.event.object, 'subscription_schedule', /^sub_sched_[A-Za-z0-9]+$/);
  const customer = requireCustomerOf(ctx.event.object);
  await lockCustomer(ctx.trx, customer);
  const schedule = await readStripe(ZStripeSchedule, `subscription schedule ${id}`, () =>
    ctx.stripe.subscriptionSchedules.retrieve(id),
  );
  const subscriptionId = schedule.subscription ?? schedule.released_subscription;
  if (!subscriptionId) return ignored('a schedule without a subscription');
  return syncSubscription(ctx, subscriptionId, customer);
}
