/** admin.credits.shortfalls: pack refunds that found the credits spent (pack-purchase.ts). */
import type { Deps } from '../../deps';
import { listShortfalls } from './packs.queries';

/** The newest this many; shortfalls are rare (a refund after spending). */
const LISTED = 100;

export interface ShortfallView {
  userId: string;
  checkoutSessionId: string;
  pack: string;
  credits: number;
  /** Cents refunded so far, of `amountCents`. */
  refundedCents: number;
  amountCents: number;
  currency: string;
  reversedCredits: number;
  /** Credits the refunds should have taken back but the account had spent. */
  shortfall: number;
  purchasedAt: string;
}

export async function listPackShortfalls(deps: Pick<Deps, 'db'>): Promise<ShortfallView[]> {
  const rows = await listShortfalls(deps.db, LISTED);
  return rows.map((row) => ({
    userId: row.user_id,
    checkoutSessionId: row.checkout_session_id,
    pack: row.pack_code,
    credits: row.credits,
    refundedCents: row.refunded_amount,
    amountCents: row.amount,
    currency: row.currency,
    reversedCredits: row.reversed_credits,
    shortfall: row.shortfall,
    purchasedAt: row.purchased_at.toISOString(),
  }));
}
