/**
 * The `access.changed` domain event (DESIGN, "Billing model": the outbox). Written in the
 * transaction of the change, with the access before and after, so a consumer (the
 * integrations issue fans it out to Discord and outgoing webhooks) sees each change exactly
 * once and never one that rolled back.
 *
 * "Before" is what the last event told consumers, not a fresh computation: access also ends
 * by the clock alone (a cancellation's period end passes before Stripe's `deleted` arrives),
 * and that premium → free must still be reported, at the next event about the user.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { SUBSCRIPTION_STATUSES } from '../mirror/stripe-objects';
import { type Access, accessJson } from './access';

export const ACCESS_CHANGED = 'access.changed';

export async function recordAccessChanged(
  db: Kysely<Database>,
  change: {
    userId: string;
    old: Access;
    new: Access;
    cause: { stripeEvent: string; type: string };
  },
): Promise<void> {
  await db
    .insertInto('domain_events')
    .values({
      type: ACCESS_CHANGED,
      user_id: change.userId,
      payload: {
        userId: change.userId,
        old: accessJson(change.old),
        new: accessJson(change.new),
        cause: change.cause,
      },
    })
    .execute();
}

const ZAccessJson = z.object({
  level: z.enum(['free', 'premium']),
  plan: z.object({ code: z.string(), name: z.string() }),
  entitlements: z.array(z.string()),
  includedOperations: z.number().int(),
  until: z.iso
    .datetime({ offset: true })
    .nullable()
    .transform((value) => (value === null ? null : new Date(value))),
  status: z.enum(SUBSCRIPTION_STATUSES).nullable(),
});

/** The access the newest access.changed announced for the user, if any was recorded. */
export async function lastAnnouncedAccess(
  db: Kysely<Database>,
  userId: string,
): Promise<Access | null> {
  const row = await db
    .selectFrom('domain_events')
    .select('payload')
    .where('user_id', '=', userId)
    .where('type', '=', ACCESS_CHANGED)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const parsed = z.object({ new: ZAccessJson }).safeParse(row?.payload);
  return parsed.success ? parsed.data.new : null;
}
