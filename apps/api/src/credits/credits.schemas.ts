/**
 * Inputs of credits.* and admin.credits.*. Every procedure a server API key may call takes an
 * optional `userId`: required with a key (the user it acts for), left out (or one's own id)
 * with a user's token.
 */
import type { CreditEntryKind } from '@tollbooth/db';
import { z } from 'zod';
import {
  DEFAULT_PAGE_SIZE,
  ZIdCursor,
  ZMetadata,
  ZPageLimit,
  ZTime,
  ZUserId,
} from '../lib/input-schemas';

/** One entry moves at most a billion credits; balances are 32-bit (MAX_BALANCE). */
const MAX_AMOUNT = 1_000_000_000;

export const CREDIT_ENTRY_KINDS = [
  'purchase',
  'plan_grant',
  'grant',
  'debit',
  'usage',
  'refund',
  'reversal',
  'adjustment',
] as const satisfies readonly CreditEntryKind[];
/** The credit_entry_kind enum as a union of the list (the SDK's types must not need the db package). */
export type LedgerEntryKind = (typeof CREDIT_ENTRY_KINDS)[number];

const ZAmount = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number of credits' })
  .min(1, { error: 'must be at least 1' })
  .max(MAX_AMOUNT, { error: `must be at most ${MAX_AMOUNT}` });

/** Printable ASCII without spaces: a UUID, or `<your order id>:<step>`. */
export const ZIdempotencyKey = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(255, { error: 'must be at most 255 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' });

const ZReason = z.string({ error: 'must be a string' }).trim().min(1).max(500);

export const ZDebitInput = z.object({
  amount: ZAmount,
  idempotencyKey: ZIdempotencyKey,
  reason: ZReason.optional(),
  metadata: ZMetadata.optional(),
  userId: ZUserId.optional(),
});

/** The seed's `use-credits`: `units` credits, `ref` as the idempotency key. */
export const ZUseInput = z.object({
  units: ZAmount,
  ref: ZIdempotencyKey,
  userId: ZUserId.optional(),
});

export const ZBalanceInput = z.object({ userId: ZUserId.optional() }).optional();

export const ZHistoryInput = z
  .object({
    userId: ZUserId.optional(),
    /** `nextCursor` of the previous page; left out for the first. */
    cursor: ZIdCursor.optional(),
    limit: ZPageLimit.optional(),
    kinds: z.array(z.enum(CREDIT_ENTRY_KINDS)).min(1).max(CREDIT_ENTRY_KINDS.length).optional(),
    /** Entries at or after this time. */
    from: ZTime.optional(),
    /** Entries before this time. */
    to: ZTime.optional(),
  })
  .optional();

export type THistoryInput = {
  cursor: number | undefined;
  limit: number;
  kinds: LedgerEntryKind[] | undefined;
  from: Date | undefined;
  to: Date | undefined;
};

export function historyQuery(input: z.output<typeof ZHistoryInput>): THistoryInput {
  return {
    cursor: input?.cursor,
    limit: input?.limit ?? DEFAULT_PAGE_SIZE,
    kinds: input?.kinds,
    from: input?.from,
    to: input?.to,
  };
}

export const ZGrantInput = z.object({
  userId: ZUserId,
  amount: ZAmount,
  reason: ZReason,
  idempotencyKey: ZIdempotencyKey,
});
export type TGrantInput = z.output<typeof ZGrantInput>;

const ZRedirectUrl = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(2_048, { error: 'must be at most 2048 characters' });

export const ZPackCheckoutInput = z.object({
  /** A code from credits.packs.list. */
  pack: z
    .string({ error: 'must be a string' })
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, { error: 'must be a credit pack code' }),
  /** Where Stripe sends the browser after paying; `{CHECKOUT_SESSION_ID}` is filled in. */
  successUrl: ZRedirectUrl.optional(),
  /** Where the checkout page's Cancel goes. */
  cancelUrl: ZRedirectUrl.optional(),
});
