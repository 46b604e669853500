/**
 * Which account a Stripe customer belongs to. The link is users.stripe_customer_id (UNIQUE:
 * one customer per user, and a customer names at most one user); it is set by checkout when
 * the customer is created, or by the first webhook that proves it (a completed checkout's
 * client_reference_id, our metadata on the subscription or customer).
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';

type Db = Kysely<Database>;

export interface CustomerOwner {
  id: string;
  email: string;
  stripe_customer_id: string | null;
}

export async function findUserByCustomer(
  db: Db,
  customerId: string,
): Promise<CustomerOwner | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'stripe_customer_id'])
    .where('stripe_customer_id', '=', customerId)
    .executeTakeFirst();
}

export async function findCustomerOwner(
  db: Db,
  userId: string,
): Promise<CustomerOwner | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'stripe_customer_id'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/**
 * Sets the user's customer if they have none and no one else has this one. True when the
 * user is now linked to `customerId` (set now or before).
 */
export async function linkCustomer(db: Db, userId: string, customerId: string): Promise<boolean> {
  const taken = await findUserByCustomer(db, customerId);
  if (taken) return taken.id === userId;
  const updated = await db
    .updateTable('users')
    .set({ stripe_customer_id: customerId })
    .where('id', '=', userId)
    .where('stripe_customer_id', 'is', null)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) return false;
  // Invoices mirrored before the link was known get their owner now.
  await db
    .updateTable('invoices')
    .set({ user_id: userId })
    .where('stripe_customer_id', '=', customerId)
    .where('user_id', 'is', null)
    .execute();
  return true;
}
