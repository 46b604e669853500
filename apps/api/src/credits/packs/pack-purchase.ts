/**
 * The webhook's side of credit packs (ADR 0008), inside the Stripe event's transaction.
 *
 * Crediting (`checkout.session.completed`, payment mode, our pack metadata): the session is
 * re-read from Stripe and credited only when it is `complete` and `paid`, once per session:
 * postCredit's origin is the session id (kind `purchase`), so a duplicated, reordered or
 * replayed event, or reconciliation applying it again, finds the first entry. Other events
 * about the same payment (payment_intent.succeeded, charge.succeeded) are not handled at all.
 *
 * Refunds (`charge.refunded`): the charge's amount_refunded is the watermark. Of the credits
 * the purchase gave, the share refunded so far (rounded down; all of them on a full refund)
 * is what should be taken back in total; each event reverses what is new beyond what was
 * taken back or recorded short before, as one `reversal` entry whose source is
 * `<charge>:<amount_refunded>`, so each refunded amount reverses once. Never below zero: what
 * the account had spent is recorded as the purchase's shortfall (and audited), not taken.
 * A refund applied before its purchase was credited is caught up on when the purchase is.
 */
import { z } from 'zod';
import { USER_ID_METADATA_KEY } from '../../billing/customers/stripe-customer';
import { findUserByCustomer } from '../../billing/mirror/customers.queries';
import { ZStripeCharge } from '../../billing/mirror/stripe-objects';
import {
  type ApplyContext,
  applied,
  type HandlerResult,
  ignored,
  lockObject,
  readStripe,
} from '../../billing/stripe-events/context';
import { insertEntry, lockBalance, setBalance } from '../ledger/ledger.queries';
import { postCredit } from '../ledger/post-credit';
import { CREDITS_METADATA_KEY, PACK_METADATA_KEY } from './pack-checkout';
import { insertPurchase, lockPurchaseByIntent, recordReversal } from './packs.queries';

const ZPackMetadata = z.object({
  [USER_ID_METADATA_KEY]: z.uuid(),
  [PACK_METADATA_KEY]: z.string().min(1).max(40),
  [CREDITS_METADATA_KEY]: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/)
    .transform(Number),
});

export interface PaidSession {
  id: string;
  status: string | null;
  payment_status: string | null;
  customer: string | null;
  payment_intent: string | null;
  amount_total: number | null;
  currency: string | null;
  metadata: Record<string, string>;
}

export async function creditPackCheckout(
  ctx: ApplyContext,
  session: PaidSession,
): Promise<HandlerResult> {
  const parsed = ZPackMetadata.safeParse(session.metadata);
  if (!parsed.success) return ignored('a payment-mode checkout without credit pack metadata');
  if (session.status !== 'complete' || session.payment_status !== 'paid') {
    return ignored(`the pack checkout is ${session.status ?? 'open'}, ${session.payment_status}`);
  }
  const { userId, creditPack, credits } = {
    userId: parsed.data[USER_ID_METADATA_KEY],
    creditPack: parsed.data[PACK_METADATA_KEY],
    credits: parsed.data[CREDITS_METADATA_KEY],
  };
  // The customer paid; its account is who gets the credits (the metadata must agree).
  const owner = session.customer ? await findUserByCustomer(ctx.trx, session.customer) : undefined;
  if (!owner || owner.id !== userId) {
    return ignored(`the pack checkout's customer is not the account ${userId} it names`);
  }
  const at = ctx.deps.clock.now();
  const posted = await postCredit(ctx.trx, {
    userId,
    kind: 'purchase',
    amount: credits,
    reason: `Credit pack ${creditPack}`,
    metadata: { creditPack, checkoutSession: session.id, stripeEvent: ctx.event.id },
    origin: { sourceRef: session.id },
    at,
  });
  if (posted.created) {
    await insertPurchase(ctx.trx, {
      checkout_session_id: session.id,
      user_id: userId,
      pack_code: creditPack,
      credits,
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'usd',
      payment_intent_id: session.payment_intent,
      entry_id: Number(posted.result.entryId),
      purchased_at: at,
    });
    // A refund applied before this purchase was credited (events applied out of order, e.g.
    // by reconciliation) found no purchase to reverse: catch up on it now.
    const charge = await chargeOf(ctx, session.payment_intent);
    if (charge && charge.amount_refunded > 0) await reversePackRefund(ctx, charge);
  }
  return applied;
}

const ZIntent = z.object({
  latest_charge: z
    .union([z.string(), z.object({ id: z.string() })])
    .transform((value) => (typeof value === 'string' ? value : value.id))
    .nullable(),
});

/**
 * The payment intent's charge as Stripe has it now (null: no intent, or not charged), read
 * under the charge's lock (charge-refunded.ts takes the same): a charge.refunded applied
 * meanwhile either finished first (its refund is in this read) or waits and then finds the
 * purchase. It never waits on this account's balance while holding that lock before finding
 * the purchase, which is not visible until this transaction commits, so the two cannot deadlock.
 */
async function chargeOf(ctx: ApplyContext, paymentIntent: string | null) {
  if (!paymentIntent) return null;
  const intent = await readStripe(ZIntent, `payment intent ${paymentIntent}`, () =>
    ctx.stripe.paymentIntents.retrieve(paymentIntent),
  );
  const chargeId = intent.latest_charge;
  if (!chargeId) return null;
  await lockObject(ctx.trx, `stripe:${chargeId}`);
  return readStripe(ZStripeCharge, `charge ${chargeId}`, () =>
    ctx.stripe.charges.retrieve(chargeId),
  );
}

export async function reversePackRefund(
  ctx: ApplyContext,
  charge: { id: string; payment_intent: string | null; amount_refunded: number },
): Promise<void> {
  if (!charge.payment_intent) return;
  const purchase = await lockPurchaseByIntent(ctx.trx, charge.payment_intent);
  if (!purchase || purchase.amount === 0) return;
  const refunded = Math.min(charge.amount_refunded, purchase.amount);
  if (refunded <= purchase.refunded_amount) return;
  const owed =
    refunded === purchase.amount
      ? purchase.credits
      : Math.floor((purchase.credits * refunded) / purchase.amount);
  const toReverse = owed - purchase.reversed_credits - purchase.shortfall;
  const balance = await lockBalance(ctx.trx, purchase.user_id);
  const reversed = Math.max(0, Math.min(balance, toReverse));
  const shortfall = Math.max(0, toReverse - reversed);
  const at = ctx.deps.clock.now();
  await setBalance(ctx.trx, { userId: purchase.user_id, balance: balance - reversed, at });
  const entry = await insertEntry(ctx.trx, {
    userId: purchase.user_id,
    kind: 'reversal',
    delta: -reversed,
    balanceAfter: balance - reversed,
    reason: `Refund of credit pack ${purchase.pack_code}`,
    idempotencyKey: null,
    sourceRef: `${charge.id}:${refunded}`,
    metadata: {
      checkoutSession: purchase.checkout_session_id,
      charge: charge.id,
      amountRefunded: refunded,
      shortfall,
      stripeEvent: ctx.event.id,
    },
    at,
  });
  await recordReversal(ctx.trx, {
    sessionId: purchase.checkout_session_id,
    refundedAmount: refunded,
    reversed,
    shortfall,
  });
  if (shortfall > 0) {
    await ctx.audit('credits.reversal_shortfall', purchase.user_id, {
      checkoutSession: purchase.checkout_session_id,
      charge: charge.id,
      shortfall,
      entryId: String(entry.id),
    });
  }
}
