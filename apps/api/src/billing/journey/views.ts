/**
 * What the user-facing billing procedures answer: JSON-safe (dates as ISO strings), amounts
 * in integer cents, Stripe's statuses as they are. These types are public (the SDK bundles
 * them), so they spell out their unions instead of importing @tollbooth/db.
 */
import type { Invoice, Plan, PlanPrice, Subscription } from '@tollbooth/db';
import type { SubscriptionStatus } from '../access/access';

export interface PlanRef {
  code: string;
  name: string;
}

export interface PriceView {
  amountCents: number;
  currency: string;
  interval: string;
}

export interface SubscriptionView {
  id: string;
  /** Stripe's status: active, trialing, past_due, unpaid, incomplete, paused. */
  status: SubscriptionStatus;
  /** The plan its price belongs to; null for a price no plan of ours has. */
  plan: PlanRef | null;
  /** What it is billed: the subscribed price, which may be older than the plan's current one. */
  price: PriceView | null;
  currentPeriod: { start: string | null; end: string | null };
  cancelAtPeriodEnd: boolean;
  /** When it ends, if an end is scheduled (a cancel at period end). */
  endsAt: string | null;
  /** When it next renews and bills `price`; null when it is set to end. */
  renewsAt: string | null;
  /** A downgrade scheduled for the end of the paid period. */
  pendingChange: { plan: PlanRef; at: string } | null;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

function refOf(plans: readonly Plan[], id: string | null): PlanRef | null {
  const plan = id ? plans.find((candidate) => candidate.id === id) : undefined;
  return plan ? { code: plan.code, name: plan.name } : null;
}

export function toSubscriptionView(
  row: Subscription,
  plans: readonly Plan[],
  price: PlanPrice | undefined,
): SubscriptionView {
  const endsAt =
    row.ended_at ?? row.cancel_at ?? (row.cancel_at_period_end ? row.current_period_end : null);
  const pendingPlan = refOf(plans, row.pending_plan_id);
  return {
    id: row.id,
    status: row.status,
    plan: refOf(plans, row.plan_id),
    price: price
      ? {
          amountCents: price.amount_cents,
          currency: price.currency,
          interval: price.billing_interval,
        }
      : null,
    currentPeriod: { start: iso(row.current_period_start), end: iso(row.current_period_end) },
    cancelAtPeriodEnd: row.cancel_at_period_end,
    endsAt: iso(endsAt),
    renewsAt: endsAt ? null : iso(row.current_period_end),
    pendingChange:
      pendingPlan && row.pending_change_at
        ? { plan: pendingPlan, at: row.pending_change_at.toISOString() }
        : null,
  };
}

export interface InvoiceView {
  id: string;
  /** Stripe's number once finalized (`PREFIX-0001`). */
  number: string | null;
  /** draft, open, paid, uncollectible, void. */
  status: string;
  currency: string;
  subtotalCents: number;
  totalCents: number;
  amountDueCents: number;
  amountPaidCents: number;
  amountRemainingCents: number;
  /** subscription_create, subscription_cycle, subscription_update, … */
  billingReason: string | null;
  period: { start: string | null; end: string | null };
  hostedInvoiceUrl: string | null;
  invoicePdfUrl: string | null;
  createdAt: string;
  paidAt: string | null;
}

export function toInvoiceView(row: Invoice): InvoiceView {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    currency: row.currency,
    subtotalCents: row.subtotal,
    totalCents: row.total,
    amountDueCents: row.amount_due,
    amountPaidCents: row.amount_paid,
    amountRemainingCents: row.amount_remaining,
    billingReason: row.billing_reason,
    period: { start: iso(row.period_start), end: iso(row.period_end) },
    hostedInvoiceUrl: row.hosted_invoice_url,
    invoicePdfUrl: row.invoice_pdf,
    createdAt: row.stripe_created.toISOString(),
    paidAt: iso(row.paid_at),
  };
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}
