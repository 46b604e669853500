/**
 * Inputs of admin.credits.packs.*. The limits mirror credit_packs' CHECKs (migrations 0012,
 * 0015) so bad input is a VALIDATION_FAILED with field messages, never a constraint error.
 */
import { z } from 'zod';
import { intIn, MAX_PRICE_CENTS, ZCurrency, ZText } from '../../billing/catalog/plans.schemas';

export const ZPackCode = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, {
    error: 'must be 1-40 lowercase letters, digits, _ or -, starting with a letter or digit',
  });

const packFields = {
  name: ZText(100).pipe(z.string().min(1, { error: 'must not be empty' })),
  /** Credits a purchase adds; a balance is 32-bit, so one pack stays well below it. */
  credits: intIn(1, 100_000_000),
  priceCents: intIn(1, MAX_PRICE_CENTS),
  currency: ZCurrency,
  sortOrder: intIn(-1_000_000, 1_000_000),
};

export const ZCreatePackInput = z.object({
  code: ZPackCode,
  ...packFields,
  currency: packFields.currency.default('usd'),
  /** Default: after every existing pack. */
  sortOrder: packFields.sortOrder.optional(),
});

/** Fields left out stay as they are. */
export const ZUpdatePackInput = z.object({
  code: ZPackCode,
  name: packFields.name.optional(),
  credits: packFields.credits.optional(),
  priceCents: packFields.priceCents.optional(),
  currency: packFields.currency.optional(),
  sortOrder: packFields.sortOrder.optional(),
});

export const ZPackCodeInput = z.object({ code: ZPackCode });

export type TCreatePackInput = z.output<typeof ZCreatePackInput>;
export type TUpdatePackInput = z.output<typeof ZUpdatePackInput>;
