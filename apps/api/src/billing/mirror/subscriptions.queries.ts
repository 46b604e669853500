/**
 * The subscription mirror's SQL. Rows are written from a fresh read of Stripe (see
 * stripe-events/sync-subscription.ts), under a per-subscription lock, so the newest read
 * wins; the upsert still refuses to revive an ended subscription, so no late or stale write
 * can move one backwards.
 */
import type { Database, NewSubscription, Subscription } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import { ENDED_SUBSCRIPTION_STATUSES } from './stripe-objects';

type Db = Kysely<Database>;

export async function findSubscription(db: Db, id: string): Promise<Subscription | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts or overwrites from Stripe's state; an ended row stays ended. Returns the row now. */
export async function upsertSubscription(db: Db, row: NewSubscription): Promise<Subscription> {
  const { id: _id, created_at: _created, ...changes } = row;
  await db
    .insertInto('subscriptions')
    .values(row)
    .onConflict((conflict) =>
      conflict
        .column('id')
        .doUpdateSet(changes)
        .where((eb) =>
          eb.or([
            eb('subscriptions.status', 'not in', ENDED_SUBSCRIPTION_STATUSES),
            eb('excluded.status', 'in', ENDED_SUBSCRIPTION_STATUSES),
          ]),
        ),
    )
    .execute();
  const stored = await findSubscription(db, row.id);
  if (!stored) throw new Error(`subscription ${row.id} vanished during its upsert`);
  return stored;
}

/**
 * Subscriptions that still grant or may grant access although their period has ended: the
 * renewal (or the `deleted`) that should have followed never reached us. Reconciliation
 * re-reads them from Stripe.
 */
export async function listOverdueSubscriptions(
  db: Db,
  now: Date,
  limit: number,
): Promise<Array<Pick<Subscription, 'id' | 'stripe_customer_id'>>> {
  return db
    .selectFrom('subscriptions')
    .select(['id', 'stripe_customer_id'])
    .where('status', 'in', ['trialing', 'active', 'past_due', 'unpaid'])
    .where('current_period_end', '<', now)
    .orderBy('current_period_end')
    .limit(limit)
    .execute();
}

/** Subscriptions by status, for the /metrics gauge. */
export async function countSubscriptionsByStatus(
  db: Db,
): Promise<Array<{ status: Subscription['status']; count: number }>> {
  return db
    .selectFrom('subscriptions')
    .select(['status', sql<number>`count(*)::int`.as('count')])
    .groupBy('status')
    .execute();
}
