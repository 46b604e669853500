/**
 * stripe_events: every verified event, once by its id (migration 0008). Functions take
 * `(db | trx, args)`; ingest.ts owns the transactions.
 */
import type { Database, NewStripeEvent, StripeEvent, StripeEventStatus } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';

type Db = Kysely<Database>;

/** Stores the event unless its id is known; true when this call stored it. */
export async function insertEventOnce(db: Db, row: NewStripeEvent): Promise<boolean> {
  const inserted = await db
    .insertInto('stripe_events')
    .values(row)
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The stored row, locked until the transaction ends (a concurrent copy waits for us). */
export async function lockEvent(
  db: Db,
  id: string,
): Promise<Pick<StripeEvent, 'status' | 'payload' | 'type'> | undefined> {
  return db
    .selectFrom('stripe_events')
    .select(['status', 'payload', 'type'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function findEventStatus(db: Db, id: string): Promise<StripeEventStatus | undefined> {
  const row = await db
    .selectFrom('stripe_events')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.status;
}

export async function finishEvent(
  db: Db,
  id: string,
  outcome: { status: StripeEventStatus; error: string | null; at: Date },
): Promise<void> {
  await db
    .updateTable('stripe_events')
    .set({ status: outcome.status, error: outcome.error, applied_at: outcome.at })
    .where('id', '=', id)
    .execute();
}

/**
 * Stores an event as failed (after its application rolled back), or marks a stored but
 * unfinished one failed; an event already finished stays as it is.
 */
export async function recordFailedEvent(
  db: Db,
  row: NewStripeEvent,
  error: string,
  at: Date,
): Promise<void> {
  await db
    .insertInto('stripe_events')
    .values({ ...row, status: 'failed', error, applied_at: at })
    .onConflict((conflict) =>
      conflict
        .column('id')
        .doUpdateSet({ status: 'failed', error, applied_at: at })
        .where('stripe_events.status', '=', 'received'),
    )
    .execute();
}

/** Stripe's `created` of the newest event we finished: reconciliation lists from there. */
export async function newestFinishedEventCreated(db: Db): Promise<Date | null> {
  const row = await db
    .selectFrom('stripe_events')
    .select(sql<Date | null>`max(stripe_created)`.as('newest'))
    .where('status', 'in', ['applied', 'ignored'])
    .where('source', 'in', ['webhook', 'reconcile'])
    .where('id', 'not like', 'evt_unreadable_%')
    .executeTakeFirstOrThrow();
  return row.newest;
}

/** Which of these ids are stored already (any status). */
export async function knownEventIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('stripe_events').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((row) => row.id));
}

export async function listReceivedEventIds(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('stripe_events')
    .select('id')
    .where('status', '=', 'received')
    .orderBy('stripe_created')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** For admins: events we could not apply, newest first, with why. */
export async function listFailedEvents(
  db: Db,
  options: { limit: number; before?: { receivedAt: Date; id: string } },
) {
  let query = db
    .selectFrom('stripe_events')
    .select(['id', 'type', 'object_id', 'error', 'source', 'stripe_created', 'received_at'])
    .where('status', '=', 'failed');
  const before = options.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([
        eb('received_at', '<', before.receivedAt),
        eb.and([eb('received_at', '=', before.receivedAt), eb('id', '<', before.id)]),
      ]),
    );
  }
  return query.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}
