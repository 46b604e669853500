/**
 * The usage SQL. Writers keep one lock order: the user's counter row for the period first
 * (lockCounter), then, when credits pay, the credit balance row (the ledger's guarded
 * decrement). Every record of a user in a period therefore runs one after the other.
 */
import type { Database, NewUsageRecord, UsageRecord } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import type { TListFilter } from './usage.schemas';

type Db = Kysely<Database>;

export interface CounterState {
  included: number;
  used: number;
}

/**
 * Creates the period's counter (used 0) or locks the existing one until the transaction
 * ends, setting `included` to the plan in force now (an upgrade mid-period raises it).
 */
export async function lockCounter(
  db: Db,
  args: { userId: string; start: Date; end: Date; included: number; at: Date },
): Promise<CounterState> {
  return db
    .insertInto('usage_counters')
    .values({
      user_id: args.userId,
      period_start: args.start,
      period_end: args.end,
      included: args.included,
      used: 0,
      updated_at: args.at,
    })
    .onConflict((oc) =>
      oc.columns(['user_id', 'period_start']).doUpdateSet({ included: args.included }),
    )
    .returning(['included', 'used'])
    .executeTakeFirstOrThrow();
}

/** The guarded increment: takes `quantity` included operations only if they are left. */
export async function takeIncluded(
  db: Db,
  args: { userId: string; start: Date; quantity: number; at: Date },
): Promise<CounterState | undefined> {
  return db
    .updateTable('usage_counters')
    .set((eb) => ({ used: eb('used', '+', args.quantity), updated_at: args.at }))
    .where('user_id', '=', args.userId)
    .where('period_start', '=', args.start)
    .where(sql<boolean>`used + ${args.quantity} <= included`)
    .returning(['included', 'used'])
    .executeTakeFirst();
}

export async function findCounter(
  db: Db,
  userId: string,
  start: Date,
): Promise<CounterState | undefined> {
  return db
    .selectFrom('usage_counters')
    .select(['included', 'used'])
    .where('user_id', '=', userId)
    .where('period_start', '=', start)
    .executeTakeFirst();
}

export async function insertRecord(db: Db, record: NewUsageRecord): Promise<UsageRecord> {
  return db.insertInto('usage_records').values(record).returningAll().executeTakeFirstOrThrow();
}

export async function findRecordByKey(db: Db, key: string): Promise<UsageRecord | undefined> {
  return db
    .selectFrom('usage_records')
    .selectAll()
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export async function findRecord(
  db: Db,
  userId: string,
  id: number,
): Promise<UsageRecord | undefined> {
  return db
    .selectFrom('usage_records')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Newest first; one more than `limit` tells the caller whether a next page exists. */
export async function listRecords(
  db: Db,
  userId: string,
  filter: TListFilter,
): Promise<UsageRecord[]> {
  let query = db.selectFrom('usage_records').selectAll().where('user_id', '=', userId);
  if (filter.cursor !== undefined) query = query.where('id', '<', filter.cursor);
  if (filter.operation !== undefined) query = query.where('operation', '=', filter.operation);
  if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
  return query
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

export interface StatsRow {
  key: string;
  records: number;
  quantity: number;
  includedQuantity: number;
  creditsSpent: number;
  /** Operations billed on the invoice, and what they cost in cents (overage mode `invoice`). */
  overageQuantity: number;
  overageCents: number;
}

/** Sums per UTC day (`YYYY-MM-DD`) or per operation code over [from, to). */
export async function sumRecords(
  db: Db,
  args: { userId: string; from: Date; to: Date; groupBy: 'day' | 'operation' },
): Promise<StatsRow[]> {
  const key =
    args.groupBy === 'day'
      ? sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`
      : sql<string>`operation`;
  const { rows } = await sql<StatsRow>`
    select ${key} as key,
           count(*)::int as records,
           sum(quantity)::int as quantity,
           sum(included_quantity)::int as "includedQuantity",
           sum(credits_spent)::int as "creditsSpent",
           sum(overage_quantity)::int as "overageQuantity",
           sum(overage_cents)::int as "overageCents"
      from usage_records
     where user_id = ${args.userId} and created_at >= ${args.from} and created_at < ${args.to}
     group by 1
     order by 1`.execute(db);
  return rows;
}

export interface OverageToBill {
  id: number;
  userId: string;
  operation: string;
  operationName: string;
  overageQuantity: number;
  overageCents: number;
  currency: string | null;
  subscriptionId: string | null;
  stripeCustomerId: string | null;
  stripeInvoiceItemId: string | null;
  periodStart: Date;
  periodEnd: Date;
  createdAt: Date;
}

/** An `overage` record with what its invoice item needs: the operation's name, the user's customer. */
export async function findOverageToBill(db: Db, id: number): Promise<OverageToBill | undefined> {
  return db
    .selectFrom('usage_records as r')
    .innerJoin('operation_types as o', 'o.code', 'r.operation')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select([
      'r.id',
      'r.user_id as userId',
      'r.operation',
      'o.name as operationName',
      'r.overage_quantity as overageQuantity',
      'r.overage_cents as overageCents',
      'r.overage_currency as currency',
      'r.overage_subscription_id as subscriptionId',
      'u.stripe_customer_id as stripeCustomerId',
      'r.stripe_invoice_item_id as stripeInvoiceItemId',
      'r.period_start as periodStart',
      'r.period_end as periodEnd',
      'r.created_at as createdAt',
    ])
    .where('r.id', '=', id)
    .where('r.outcome', '=', 'overage')
    .executeTakeFirst();
}

/** Writes the invoice item's id once; a second writer (a duplicate run) changes nothing. */
export async function markOverageBilled(db: Db, id: number, invoiceItemId: string): Promise<void> {
  await db
    .updateTable('usage_records')
    .set({ stripe_invoice_item_id: invoiceItemId })
    .where('id', '=', id)
    .where('stripe_invoice_item_id', 'is', null)
    .execute();
}
