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

/**
 * `forUpdate`: the row locked until the transaction ends, so advanceWatermark (which takes no
 * other lock) cannot move it between this read and the write that follows it.
 */
export async function findWatermark(
  db: Db,
  objectId: string,
  options: { forUpdate?: boolean } = {},
): Promise<Watermark | undefined> {
  const query = db
    .selectFrom('stripe_object_watermarks')
    .select(['stripe_created', 'fingerprint'])
    .where('object_id', '=', objectId);
  const row = await (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
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

/**
 * Moves the watermark's time forward to `stripeCreated` if it still holds `fingerprint` and
 * an older time: one statement, atomic on its own. True when it moved.
 */
export async function advanceWatermark(
  db: Db,
  objectId: string,
  mark: Watermark,
): Promise<boolean> {
  const updated = await db
    .updateTable('stripe_object_watermarks')
    .set({ stripe_created: mark.stripeCreated, updated_at: sql`now()` })
    .where('object_id', '=', objectId)
    .where('fingerprint', '=', mark.fingerprint)
    .where('stripe_created', '<', mark.stripeCreated)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

/**
 * A customer's watermark and whether an account is linked to the customer, in one round trip:
 * the two facts customer.updated's lock-free path decides on (customer-updated.ts). The
 * outer row always exists, so a missing watermark reads as undefined, not as no row.
 */
export async function findCustomerWatermark(
  db: Db,
  customerId: string,
): Promise<{ held: Watermark | undefined; linked: boolean }> {
  const { rows } = await sql<{
    stripe_created: Date | null;
    fingerprint: string | null;
    linked: boolean;
  }>`
    select w.stripe_created, w.fingerprint,
           exists (select 1 from users where stripe_customer_id = ${customerId}) as linked
      from (select 1) as one
      left join stripe_object_watermarks w on w.object_id = ${customerId}`.execute(db);
  const row = rows[0];
  const held =
    row?.stripe_created && row.fingerprint !== null
      ? { stripeCreated: row.stripe_created, fingerprint: row.fingerprint }
      : undefined;
  return { held, linked: row?.linked ?? false };
}
