/**
 * What a change of a mirrored subscription means to its user: which mail goes out and which
 * audit rows are written. Derived from the row before and after, never from the event type,
 * so a transition is reported exactly once even when several events (or a duplicate, or a
 * late one) carry it, and a reordered sequence reports what really changed.
 */
import type { Subscription } from '@tollbooth/db';
import { findPlanById } from '../catalog/plans.queries';
import { ENDED_SUBSCRIPTION_STATUSES } from '../mirror/stripe-objects';
import type { ApplyContext } from './context';

type Status = Subscription['status'];

const ENDED: readonly Status[] = ENDED_SUBSCRIPTION_STATUSES;
/** Statuses in which the user has paid for the plan at some point. */
const STARTED: readonly Status[] = ['active', 'trialing', 'past_due', 'unpaid', 'paused'];

const isEnded = (row: Subscription | null) => row !== null && ENDED.includes(row.status);
const isStarted = (row: Subscription | null) => row !== null && STARTED.includes(row.status);
const cancelScheduled = (row: Subscription | null) =>
  row !== null && !isEnded(row) && (row.cancel_at_period_end || row.cancel_at !== null);

async function planName(ctx: ApplyContext, planId: string | null): Promise<string> {
  if (!planId) return 'your plan';
  return (await findPlanById(ctx.trx, planId))?.name ?? 'your plan';
}

export async function reportSubscriptionChange(
  ctx: ApplyContext,
  before: Subscription | null,
  after: Subscription,
): Promise<void> {
  const userId = after.user_id;
  const base = { subscription: after.id, stripeEvent: ctx.event.id, status: after.status };

  if (!isStarted(before) && !isEnded(before) && isStarted(after)) {
    await ctx.audit('billing.subscription_started', userId, { ...base, plan: after.plan_id });
    await ctx.mail(userId, {
      kind: 'subscription_started',
      planName: await planName(ctx, after.plan_id),
    });
  }

  if (before && before.plan_id !== after.plan_id && !isEnded(after)) {
    await ctx.audit('billing.subscription_plan_changed', userId, {
      ...base,
      fromPlan: before.plan_id,
      toPlan: after.plan_id,
    });
    if (isStarted(before) && isStarted(after)) {
      await ctx.mail(userId, {
        kind: 'plan_changed',
        fromPlan: await planName(ctx, before.plan_id),
        toPlan: await planName(ctx, after.plan_id),
      });
    }
  }

  if (!cancelScheduled(before) && cancelScheduled(after)) {
    const endsAt = after.cancel_at ?? after.current_period_end;
    await ctx.audit('billing.subscription_cancel_scheduled', userId, {
      ...base,
      endsAt: endsAt?.toISOString() ?? null,
    });
    if (endsAt) {
      await ctx.mail(userId, {
        kind: 'cancellation_scheduled',
        planName: await planName(ctx, after.plan_id),
        endsAt: endsAt.toISOString(),
      });
    }
  } else if (cancelScheduled(before) && !cancelScheduled(after) && !isEnded(after)) {
    await ctx.audit('billing.subscription_resumed', userId, base);
  }

  if (
    (before?.pending_plan_id ?? null) !== after.pending_plan_id ||
    (before?.pending_change_at?.getTime() ?? null) !== (after.pending_change_at?.getTime() ?? null)
  ) {
    await ctx.audit('billing.subscription_change_scheduled', userId, {
      ...base,
      pendingPlan: after.pending_plan_id,
      pendingAt: after.pending_change_at?.toISOString() ?? null,
    });
  }

  if (before && before.status !== after.status && !isEnded(after)) {
    await ctx.audit('billing.subscription_status_changed', userId, {
      ...base,
      from: before.status,
    });
  }

  if (!isEnded(before) && isEnded(after)) {
    await ctx.audit('billing.subscription_ended', userId, {
      ...base,
      from: before?.status ?? null,
    });
    // Only a subscription the user knew as started gets a goodbye.
    if (isStarted(before)) {
      await ctx.mail(userId, {
        kind: 'subscription_ended',
        planName: await planName(ctx, after.plan_id),
      });
    }
  }
}
