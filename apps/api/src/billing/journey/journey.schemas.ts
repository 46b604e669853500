/**
 * Inputs of the user-facing billing procedures. Redirect URLs are checked against APP_URL
 * and ALLOWED_ORIGINS in the service (the allow-list is configuration, not schema).
 */
import { z } from 'zod';
import { ZPlanCode } from '../catalog/plans.schemas';

/** Stripe takes URLs up to 5,000 characters; ours stay well below. */
const MAX_URL_LENGTH = 2_048;
const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

const ZRedirectUrl = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(MAX_URL_LENGTH, { error: `must be at most ${MAX_URL_LENGTH} characters` });

export const ZCheckoutInput = z.object({
  plan: ZPlanCode,
  /** Where Stripe sends the browser after paying; `{CHECKOUT_SESSION_ID}` is filled in. */
  successUrl: ZRedirectUrl.optional(),
  /** Where the checkout page's Cancel (or back) goes. */
  cancelUrl: ZRedirectUrl.optional(),
});

export const ZChangePlanInput = z.object({ plan: ZPlanCode });

export const ZPortalInput = z.object({ returnUrl: ZRedirectUrl.optional() }).optional();

export interface PageCursor {
  at: Date;
  id: string;
}

/** Opaque to clients: base64url of the last row's [time, id], so pages never skip or repeat. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.at.toISOString(), cursor.id])).toString('base64url');
}

const ZCursorTuple = z.tuple([z.iso.datetime(), z.string().min(1).max(255)]);

function decodeCursor(value: string): PageCursor | undefined {
  try {
    const parsed = ZCursorTuple.safeParse(
      JSON.parse(Buffer.from(value, 'base64url').toString('utf8')),
    );
    return parsed.success ? { at: new Date(parsed.data[0]), id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}

const ZCursor = z
  .string({ error: 'must be a string' })
  .max(1_024, { error: 'is not a cursor from this list' })
  .transform((value, ctx) => {
    const cursor = decodeCursor(value);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor from this list' });
      return z.NEVER;
    }
    return cursor;
  });

export const ZPageInput = z
  .object({
    /** `nextCursor` of the previous page; left out for the first. */
    cursor: ZCursor.optional(),
    limit: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be at least 1' })
      .max(MAX_PAGE_SIZE, { error: `must be at most ${MAX_PAGE_SIZE}` })
      .optional(),
  })
  .optional();

export type TCheckoutInput = z.output<typeof ZCheckoutInput>;
export type TPageInput = { cursor: PageCursor | undefined; limit: number };

export function pageOf(input: z.output<typeof ZPageInput>): TPageInput {
  return { cursor: input?.cursor, limit: input?.limit ?? DEFAULT_PAGE_SIZE };
}
