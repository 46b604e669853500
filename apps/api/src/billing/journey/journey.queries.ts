/**
 * What the user-facing billing procedures read from the mirror (kept by webhooks; never
 * written here). Every function takes `(db | trx, args)`.
 */
import type { Database, Invoice, Plan, PlanPrice, Subscription } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { PageCursor } from './journey.schemas';

type Db = Kysely<Database>;

export async function listUserSubscriptions(db: Db, userId: string): Promise<Subscription[]> {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('stripe_created', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function findPlansByIds(db: Db, ids: string[]): Promise<Plan[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('plans').selectAll().where('id', 'in', ids).execute();
}

export async function findPlanPrice(db: Db, priceId: string): Promise<PlanPrice | undefined> {
  return db
    .selectFrom('plan_prices')
    .selectAll()
    .where('stripe_price_id', '=', priceId)
    .executeTakeFirst();
}

/** One page of the user's invoices, newest first; `after` is the last row of the previous page. */
export async function listUserInvoices(
  db: Db,
  args: { userId: string; limit: number; after: PageCursor | undefined },
): Promise<Invoice[]> {
  const { after } = args;
  let query = db.selectFrom('invoices').selectAll().where('user_id', '=', args.userId);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('stripe_created', '<', after.at),
        eb.and([eb('stripe_created', '=', after.at), eb('id', '<', after.id)]),
      ]),
    );
  }
  return query.orderBy('stripe_created', 'desc').orderBy('id', 'desc').limit(args.limit).execute();
}
