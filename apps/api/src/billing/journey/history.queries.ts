/**
 * billing.history's SQL: the account's money events from the mirror as one list, newest
 * first, paged by (occurred_at, object_id). Each source is one branch of a UNION ALL with the
 * same columns, so another source (credit pack purchases, once credits land) is one more
 * branch here and one more `kind`, and paging, ordering and the view stay as they are.
 */
import type { Database } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import type { PageCursor } from './journey.schemas';

type Db = Kysely<Database>;

export type HistoryKind = 'invoice_paid' | 'invoice_payment_failed' | 'refund' | 'credit_pack';

export interface HistoryRow {
  kind: HistoryKind;
  /** The Stripe object the entry is about (in_…, re_…, cs_… for a pack): unique across the list. */
  object_id: string;
  occurred_at: Date;
  amount: number;
  currency: string;
  invoice_number: string | null;
  invoice_id: string | null;
  hosted_url: string | null;
}

function invoiceBranch(db: Db, userId: string, kind: HistoryKind) {
  const paid = kind === 'invoice_paid';
  return db
    .selectFrom('invoices')
    .select([
      sql<HistoryKind>`${kind}::text`.as('kind'),
      'id as object_id',
      sql<Date>`coalesce(${sql.ref(paid ? 'paid_at' : 'stripe_created')}, stripe_created)`.as(
        'occurred_at',
      ),
      sql<number>`${sql.ref(paid ? 'amount_paid' : 'amount_remaining')}`.as('amount'),
      'currency',
      'number as invoice_number',
      sql<string | null>`id`.as('invoice_id'),
      'hosted_invoice_url as hosted_url',
    ])
    .where('user_id', '=', userId)
    .where((eb) =>
      paid
        ? eb.and([eb('status', '=', 'paid'), eb('amount_paid', '>', 0)])
        : // Finalized (numbered), charged and not paid: the payment failed. Stripe charges an
          // invoice as it finalizes it, so an open numbered invoice with money left is a
          // failed attempt (a later success turns it into `invoice_paid`).
          eb.and([
            eb('status', 'in', ['open', 'uncollectible']),
            eb('amount_remaining', '>', 0),
            eb('number', 'is not', null),
          ]),
    );
}

function refundBranch(db: Db, userId: string) {
  return db
    .selectFrom('refunds')
    .select([
      sql<HistoryKind>`'refund'::text`.as('kind'),
      'id as object_id',
      'stripe_created as occurred_at',
      'amount',
      'currency',
      sql<string | null>`null::text`.as('invoice_number'),
      'invoice_id',
      sql<string | null>`null::text`.as('hosted_url'),
    ])
    .where('user_id', '=', userId)
    .where('status', 'in', ['succeeded', 'pending']);
}

/** Credit packs bought, once their credits landed (the webhook writes both together). */
function packBranch(db: Db, userId: string) {
  return db
    .selectFrom('credit_pack_purchases')
    .select([
      sql<HistoryKind>`'credit_pack'::text`.as('kind'),
      'checkout_session_id as object_id',
      'purchased_at as occurred_at',
      'amount',
      'currency',
      sql<string | null>`null::text`.as('invoice_number'),
      sql<string | null>`null::text`.as('invoice_id'),
      sql<string | null>`null::text`.as('hosted_url'),
    ])
    .where('user_id', '=', userId);
}

export async function listHistory(
  db: Db,
  args: { userId: string; limit: number; after: PageCursor | undefined },
): Promise<HistoryRow[]> {
  const { after } = args;
  const entries = invoiceBranch(db, args.userId, 'invoice_paid')
    .unionAll(invoiceBranch(db, args.userId, 'invoice_payment_failed'))
    .unionAll(refundBranch(db, args.userId))
    .unionAll(packBranch(db, args.userId))
    .as('entries');
  let query = db.selectFrom(entries).selectAll();
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('occurred_at', '<', after.at),
        eb.and([eb('occurred_at', '=', after.at), eb('object_id', '<', after.id)]),
      ]),
    );
  }
  return query
    .orderBy('occurred_at', 'desc')
    .orderBy('object_id', 'desc')
    .limit(args.limit)
    .execute();
}
