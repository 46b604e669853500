/**
 * A downgrade at the end of the paid period is a subscription schedule whose next phase is on
 * the cheaper price: the mirror shows it as a pending change (plan and date) until it happens,
 * then as the plan; releasing the schedule before then clears it.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { loadAccess } from '../../src/billing/access/load-access';
import {
  createPaidPlans,
  createWebhookTestApp,
  mirrorMatchesStripe,
  subscribedUser,
  type WebhookTest,
} from './webhook-testing';

async function planId(w: WebhookTest, code: string) {
  const plan = await w.t.deps.db
    .selectFrom('plans')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  return plan.id;
}

/** What billing.subscription.change does for a downgrade: the next phase on the lower price. */
async function scheduleDowngrade(w: WebhookTest, subscriptionId: string, price: string) {
  const schedule = await w.stripe.subscriptionSchedules.create({
    from_subscription: subscriptionId,
  });
  const [current] = schedule.phases;
  if (!current) throw new Error('a schedule from a subscription has its current phase');
  const currentPrice = current.items[0]?.price;
  const updated: Stripe.SubscriptionSchedule = await w.stripe.subscriptionSchedules.update(
    schedule.id,
    {
      phases: [
        {
          items: [
            {
              price: typeof currentPrice === 'string' ? currentPrice : (currentPrice?.id ?? ''),
              quantity: 1,
            },
          ],
          start_date: current.start_date,
          end_date: current.end_date,
        },
        { items: [{ price, quantity: 1 }], duration: { interval: 'month', interval_count: 1 } },
      ],
      end_behavior: 'release',
      proration_behavior: 'none',
    },
  );
  await w.settled();
  return { schedule: updated, changeAt: new Date(current.end_date * 1000) };
}

describe('webhook: scheduled plan changes', () => {
  it('shows a downgrade as pending until the period ends, then as the plan', async () => {
    const w = await createWebhookTestApp();
    const prices = await createPaidPlans(w);
    const { userId, subscriptionId, account } = await subscribedUser(w, prices.scale);

    const { schedule, changeAt } = await scheduleDowngrade(w, subscriptionId, prices.team);
    const pending = await mirrorMatchesStripe(w, subscriptionId);
    expect(pending).toMatchObject({
      stripe_schedule_id: schedule.id,
      plan_id: await planId(w, 'scale'),
      pending_plan_id: await planId(w, 'team'),
      pending_change_at: changeAt,
    });
    // The user keeps what they paid for until then.
    expect((await loadAccess(w.t.deps.db, w.t.deps, userId)).plan.code).toBe('scale');

    await w.advanceDays(31);
    const changed = await mirrorMatchesStripe(w, subscriptionId);
    expect(changed).toMatchObject({
      plan_id: await planId(w, 'team'),
      pending_plan_id: null,
      pending_change_at: null,
    });
    expect((await loadAccess(w.t.deps.db, w.t.deps, userId)).plan.code).toBe('team');
    await w.t.drainJobs();
    expect(w.smtp.to(account.email).map((mail) => mail.subject)).toContain(
      'Your Tollbooth plan is now Team',
    );
    const audit = await w.t.deps.db
      .selectFrom('audit_log')
      .select('event_type')
      .where('user_id', '=', userId)
      .where('event_type', '=', 'billing.subscription_change_scheduled')
      .execute();
    expect(audit.length).toBeGreaterThanOrEqual(2); // scheduled, then done
  });

  it('clears the pending change when the schedule is released before the period ends', async () => {
    const w = await createWebhookTestApp();
    const prices = await createPaidPlans(w);
    const { userId, subscriptionId } = await subscribedUser(w, prices.scale);
    const { schedule } = await scheduleDowngrade(w, subscriptionId, prices.team);
    expect((await mirrorMatchesStripe(w, subscriptionId)).pending_plan_id).not.toBeNull();

    await w.stripe.subscriptionSchedules.release(schedule.id);
    await w.settled();
    expect(await mirrorMatchesStripe(w, subscriptionId)).toMatchObject({
      stripe_schedule_id: null,
      pending_plan_id: null,
      pending_change_at: null,
      plan_id: await planId(w, 'scale'),
    });
    await w.advanceDays(31);
    expect((await mirrorMatchesStripe(w, subscriptionId)).plan_id).toBe(await planId(w, 'scale'));
    expect((await loadAccess(w.t.deps.db, w.t.deps, userId)).plan.code).toBe('scale');
  });
});
