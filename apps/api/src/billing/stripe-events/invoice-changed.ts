/**
 * invoice.paid / invoice.payment_failed / invoice.finalized (and voided, marked_uncollectible):
 * the invoice as Stripe has it now goes into the mirror (billing.invoices.list reads it), and
 * its subscription is re-read too, since payments move it (past_due, back to active); a paid
 * period invoice grants the plan's monthly credits once (credits/plan-grants/plan-grant.ts).
 * A failed payment mails the user a link to fix it, once per failed attempt (each attempt is
 * its own event); a paid invoice is audited once, when the mirror first sees it paid.
 */
import type { NewInvoice } from '@tollbooth/db';
import { grantPlanCredits } from '../../credits/plan-grants/plan-grant';
import { BILLING_APP_PATH } from '../mail/billing-templates';
import { findInvoice, upsertInvoice } from '../mirror/invoices.queries';
import { fromUnix, type StripeInvoiceView, ZStripeInvoice } from '../mirror/stripe-objects';
import {
  type ApplyContext,
  applied,
  type HandlerResult,
  lockCustomer,
  readStripe,
  requireSameCustomer,
} from './context';
import { objectIdOf, requireCustomerOf } from './object-ref';
import { resolveOwner, syncSubscription } from './sync-subscription';

function subscriptionOf(invoice: StripeInvoiceView): string | null {
  return invoice.parent?.subscription_details?.subscription ?? invoice.subscription ?? null;
}

/** The service period: the span of its lines (a renewal's line covers the new period). */
function servicePeriod(invoice: StripeInvoiceView): { start: Date; end: Date } {
  const lines = invoice.lines?.data ?? [];
  if (lines.length === 0) {
    return { start: fromUnix(invoice.period_start), end: fromUnix(invoice.period_end) };
  }
  return {
    start: fromUnix(Math.min(...lines.map((line) => line.period.start))),
    end: fromUnix(Math.max(...lines.map((line) => line.period.end))),
  };
}

export async function applyInvoiceEvent(ctx: ApplyContext): Promise<HandlerResult> {
  const id = objectIdOf(ctx.event.object, 'invoice', /^in_[A-Za-z0-9]+$/);
  const customer = requireCustomerOf(ctx.event.object);
  await lockCustomer(ctx.trx, customer);
  const invoice = await readStripe(ZStripeInvoice, `invoice ${id}`, () =>
    ctx.stripe.invoices.retrieve(id),
  );
  requireSameCustomer(customer, invoice.customer, `invoice ${id}`);
  // The subscription's metadata names the account when the customer is not linked yet.
  const owner = await resolveOwner(
    ctx,
    invoice.customer,
    invoice.parent?.subscription_details?.metadata ?? {},
  );
  const subscriptionId = subscriptionOf(invoice);
  const period = servicePeriod(invoice);
  const row: NewInvoice = {
    id: invoice.id,
    user_id: owner?.id ?? null,
    stripe_customer_id: invoice.customer,
    subscription_id: subscriptionId,
    number: invoice.number,
    status: invoice.status,
    currency: invoice.currency,
    subtotal: invoice.subtotal,
    total: invoice.total,
    amount_due: invoice.amount_due,
    amount_paid: invoice.amount_paid,
    amount_remaining: invoice.amount_remaining,
    billing_reason: invoice.billing_reason,
    period_start: period.start,
    period_end: period.end,
    hosted_invoice_url: invoice.hosted_invoice_url,
    invoice_pdf: invoice.invoice_pdf,
    stripe_created: fromUnix(invoice.created),
    paid_at: fromUnix(invoice.status_transitions.paid_at),
    synced_at: ctx.deps.clock.now(),
  };
  const before = await findInvoice(ctx.trx, id);
  const after = await upsertInvoice(ctx.trx, row);
  const userId = after.user_id;
  const base = { invoice: after.id, stripeEvent: ctx.event.id, amount: after.total };

  if (before?.status !== 'paid' && after.status === 'paid') {
    await ctx.audit('billing.invoice_paid', userId, { ...base, currency: after.currency });
  }
  // The event is one failed attempt; an invoice paid since needs no mail.
  if (ctx.event.type === 'invoice.payment_failed' && after.status === 'open') {
    await ctx.audit('billing.invoice_payment_failed', userId, base);
    if (userId) {
      await ctx.mail(userId, {
        kind: 'payment_failed',
        amountCents: after.amount_remaining,
        currency: after.currency,
        fixUrl: after.hosted_invoice_url ?? `${ctx.deps.config.appUrl}${BILLING_APP_PATH}`,
        nextAttemptAt: fromUnix(invoice.next_payment_attempt)?.toISOString() ?? null,
      });
    }
  }
  if (subscriptionId) await syncSubscription(ctx, subscriptionId, customer);
  // The plan's monthly credits, once per paid period invoice (credits/plan-grants).
  if (subscriptionId && userId) {
    await grantPlanCredits(ctx.trx, {
      invoice: after,
      userId,
      subscriptionId,
      stripeEvent: ctx.event.id,
      at: ctx.deps.clock.now(),
    });
  }
  return applied;
}
