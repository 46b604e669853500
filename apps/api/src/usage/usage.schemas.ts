/**
 * Inputs of usage.* and admin.usage.*. A server API key names the user in `userId`; a user's
 * own token may leave it out (reads only: recording is for the product's backend).
 */
import { z } from 'zod';
import { ZIdempotencyKey } from '../credits/credits.schemas';
import {
  DEFAULT_PAGE_SIZE,
  ZIdCursor,
  ZMetadata,
  ZPageLimit,
  ZTime,
  ZUserId,
} from '../lib/input-schemas';

const MAX_QUANTITY = 1_000_000;

export const ZOperationCode = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z0-9][a-z0-9_]{0,47}$/, {
    error: 'must be an operation code: lowercase letters, digits and _ (strategic_analysis)',
  });

export const ZRecordInput = z.object({
  operation: ZOperationCode,
  quantity: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(MAX_QUANTITY, { error: `must be at most ${MAX_QUANTITY}` })
    .optional(),
  idempotencyKey: ZIdempotencyKey,
  metadata: ZMetadata.optional(),
  userId: ZUserId,
});
export type TRecordInput = z.output<typeof ZRecordInput>;

export const ZListInput = z
  .object({
    userId: ZUserId.optional(),
    /** `nextCursor` of the previous page; left out for the first. */
    cursor: ZIdCursor.optional(),
    limit: ZPageLimit.default(DEFAULT_PAGE_SIZE),
    operation: ZOperationCode.optional(),
    /** Records at or after this time. */
    from: ZTime.optional(),
    /** Records before this time. */
    to: ZTime.optional(),
  })
  .optional();
export type TListFilter = {
  cursor: number | undefined;
  limit: number;
  operation: string | undefined;
  from: Date | undefined;
  to: Date | undefined;
};

export const ZGetInput = z.object({
  id: z
    .string({ error: 'must be a string' })
    .regex(/^[1-9][0-9]{0,14}$/, { error: 'must be a usage record id' }),
  userId: ZUserId.optional(),
});

export const ZStatsInput = z
  .object({
    userId: ZUserId.optional(),
    from: ZTime,
    to: ZTime,
    groupBy: z.enum(['day', 'operation'], { error: "must be 'day' or 'operation'" }),
  })
  // Only once both times parsed: a malformed one is a string still (its format issue does not
  // abort the object), and the window checks would throw on it instead of answering.
  .refine((input) => input.from.getTime() < input.to.getTime(), {
    path: ['to'],
    error: 'must be after from',
    when: ({ issues }) => issues.length === 0,
  })
  .refine((input) => input.to.getTime() - input.from.getTime() <= 366 * 86_400_000, {
    path: ['to'],
    error: 'the window is at most 366 days',
    when: ({ issues }) => issues.length === 0,
  });
export type TStatsInput = z.output<typeof ZStatsInput>;

export const ZOperationTypesInput = z.object({ userId: ZUserId.optional() }).optional();

const operationTypeFields = {
  name: z.string({ error: 'must be a string' }).trim().min(1).max(100),
  /** Empty or null clears it. */
  description: z
    .string({ error: 'must be a string' })
    .trim()
    .max(1000)
    .nullable()
    .transform((value) => value || null),
  unitCostCredits: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number of credits' })
    .min(1, { error: 'must be at least 1' })
    .max(1_000_000, { error: 'must be at most 1000000' }),
  active: z.boolean({ error: 'must be true or false' }),
};

export const ZCreateOperationTypeInput = z.object({
  code: ZOperationCode,
  ...operationTypeFields,
  description: operationTypeFields.description.default(null),
  active: operationTypeFields.active.default(true),
});
export type TCreateOperationTypeInput = z.output<typeof ZCreateOperationTypeInput>;

/** Fields left out stay as they are; `active: true` puts a deactivated type back. */
export const ZUpdateOperationTypeInput = z.object({
  code: ZOperationCode,
  name: operationTypeFields.name.optional(),
  description: operationTypeFields.description.optional(),
  unitCostCredits: operationTypeFields.unitCostCredits.optional(),
  active: operationTypeFields.active.optional(),
});
export type TUpdateOperationTypeInput = z.output<typeof ZUpdateOperationTypeInput>;

export const ZOperationTypeCodeInput = z.object({ code: ZOperationCode });
