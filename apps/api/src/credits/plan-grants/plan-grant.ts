/**
 * A plan's monthly credits (plans.monthly_credits), granted on each paid invoice of the
 * subscription that starts or renews a period (billing_reason subscription_create or
 * subscription_cycle; a proration invoice of a plan change grants nothing), once per
 * invoice: postCredit's origin is the invoice id (kind `plan_grant`), so invoice.paid arriving
 * twice, late, or beside invoice.finalized of the same paid invoice credits once. Runs in the
 * Stripe event's transaction, after the subscription was mirrored (its plan is read there).
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { postCredit } from '../ledger/post-credit';

const PERIOD_REASONS = new Set(['subscription_create', 'subscription_cycle']);

export async function grantPlanCredits(
  trx: Kysely<Database>,
  args: {
    invoice: { id: string; status: string; billing_reason: string | null };
    userId: string;
    subscriptionId: string;
    stripeEvent: string;
    at: Date;
  },
): Promise<boolean> {
  const { invoice } = args;
  if (invoice.status !== 'paid' || !PERIOD_REASONS.has(invoice.billing_reason ?? '')) return false;
  const plan = await trx
    .selectFrom('subscriptions')
    .innerJoin('plans', 'plans.id', 'subscriptions.plan_id')
    .select(['plans.code', 'plans.monthly_credits'])
    .where('subscriptions.id', '=', args.subscriptionId)
    .where('subscriptions.user_id', '=', args.userId)
    .executeTakeFirst();
  if (!plan || plan.monthly_credits <= 0) return false;
  const posted = await postCredit(trx, {
    userId: args.userId,
    kind: 'plan_grant',
    amount: plan.monthly_credits,
    reason: `Monthly credits of the ${plan.code} plan`,
    metadata: { plan: plan.code, invoice: invoice.id, stripeEvent: args.stripeEvent },
    origin: { sourceRef: invoice.id },
    at: args.at,
  });
  return posted.created;
}
