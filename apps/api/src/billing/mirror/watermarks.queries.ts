/**
 * stripe_object_watermarks (migration 0017): per Stripe object, how new the mirrored state is
 * and what it was derived from. Read and written under the object's lock (context.ts), in the
 * transaction that applies the event; snapshot.ts owns the rule.
 */
import type { Database } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';

type Db = Kysely<Database>;

export interface Watermark {
  stripeCreated: Date;
  fingerprint: string;
}

export async function findWatermark(db: Db, objectId: string): Promise<Watermark | undefined> {
  const row = await db
    .selectFrom('stripe_object_watermarks')
    .select(['stripe_created', 'fingerprint'])
    .where('object_id', '=', objectId)
    .executeTakeFirst();
  return row && { stripeCreated: row.stripe_created, fingerprint: row.fingerprint };
}

export async function saveWatermark(db: Db, objectId: string, mark: Watermark): Promise<void> {
  await db
    .insertInto('stripe_object_watermarks')
    .values({
      object_id: objectId,
      stripe_created: mark.stripeCreated,
      fingerprint: mark.fingerprint,
    })
    .onConflict((conflict) =>
      conflict.column('object_id').doUpdateSet({
        stripe_created: mark.stripeCreated,
        fingerprint: mark.fingerprint,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}
