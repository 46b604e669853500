/**
 * charge.refunded: the charge's refunds, as Stripe lists them now, go into the mirror; a
 * credit pack's payment gets the refunded share of its credits reversed (pack-purchase.ts).
 */
import type { NewRefund } from '@tollbooth/db';
import { z } from 'zod';
import { reversePackRefund } from '../../credits/packs/pack-purchase';
import { findUserByCustomer } from '../mirror/customers.queries';
import { upsertRefunds } from '../mirror/invoices.queries';
import { fromUnix, ZStripeCharge, ZStripeRefund } from '../mirror/stripe-objects';
import {
  type ApplyContext,
  applied,
  type HandlerResult,
  lockObject,
  parseOrReject,
  readStripe,
} from './context';
import { objectIdOf } from './object-ref';

/** More refunds than this on one charge is not a charge Stripe would make. */
const MAX_REFUNDS_PER_CHARGE = 1_000;

export async function applyChargeRefunded(ctx: ApplyContext): Promise<HandlerResult> {
  const id = objectIdOf(ctx.event.object, 'charge', /^(ch|py)_[A-Za-z0-9]+$/);
  await lockObject(ctx.trx, `stripe:${id}`);
  const charge = await readStripe(ZStripeCharge, `charge ${id}`, () =>
    ctx.stripe.charges.retrieve(id),
  );
  const listed = await ctx.stripe.refunds
    .list({ charge: id, limit: 100 })
    .autoPagingToArray({ limit: MAX_REFUNDS_PER_CHARGE });
  const refunds = parseOrReject(z.array(ZStripeRefund), listed, `refunds of charge ${id}`);
  const owner = charge.customer ? await findUserByCustomer(ctx.trx, charge.customer) : undefined;
  const rows: NewRefund[] = refunds.map((refund) => ({
    id: refund.id,
    user_id: owner?.id ?? null,
    stripe_charge_id: charge.id,
    invoice_id: charge.invoice ?? null,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status ?? 'pending',
    stripe_created: fromUnix(refund.created),
  }));
  for (const refundId of await upsertRefunds(ctx.trx, rows)) {
    const refund = rows.find((row) => row.id === refundId);
    await ctx.audit('billing.refund_recorded', owner?.id ?? null, {
      refund: refundId,
      charge: charge.id,
      amount: refund?.amount ?? null,
      stripeEvent: ctx.event.id,
    });
  }
  await reversePackRefund(ctx, charge);
  return applied;
}
