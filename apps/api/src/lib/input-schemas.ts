/**
 * Input pieces shared by the procedures that name a user, carry metadata or page through a
 * list by id (credits.history, usage.list): one spelling of each rule and its field message.
 */
import { z } from 'zod';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;
const MAX_METADATA_KEYS = 20;

export const ZUserId = z.uuid({ error: 'must be a user id (a UUID)' });

/** A flat object of small values, stored with the row it describes. */
export const ZMetadata = z
  .record(
    z.string().min(1).max(100),
    z.union([z.string().max(1_000), z.number(), z.boolean(), z.null()]),
    { error: 'must be an object of strings, numbers, booleans or nulls' },
  )
  .refine((value) => Object.keys(value).length <= MAX_METADATA_KEYS, {
    error: `must have at most ${MAX_METADATA_KEYS} keys`,
  });

export const ZTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 time' })
  .transform((value) => new Date(value));

/** `nextCursor` of the previous page (a row id); left out for the first. */
export const ZIdCursor = z
  .string({ error: 'must be a string' })
  .regex(/^[1-9][0-9]{0,14}$/, { error: 'is not a cursor from this list' })
  .transform(Number);

export const ZPageLimit = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(MAX_PAGE_SIZE, { error: `must be at most ${MAX_PAGE_SIZE}` });
