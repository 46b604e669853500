/**
 * The user's side of the Stripe customer link. Every function takes `(db | trx, args)`.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';

type Db = Kysely<Database>;

export interface BillingUser {
  id: string;
  email: string;
  name: string | null;
  stripe_customer_id: string | null;
}

export async function findBillingUser(db: Db, userId: string): Promise<BillingUser | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'stripe_customer_id'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/**
 * Stores the customer unless the user has one: the first writer wins, and a loser of the
 * race gets false (and reads the winner's id). UNIQUE on the column keeps one customer
 * from ever being linked to two users.
 */
export async function linkStripeCustomer(
  db: Db,
  userId: string,
  customerId: string,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ stripe_customer_id: customerId })
    .where('id', '=', userId)
    .where('stripe_customer_id', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
