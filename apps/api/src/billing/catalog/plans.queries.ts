/**
 * The catalog's SQL. Every function takes `(db | trx, args)` so services own transactions.
 */
import type { Database, NewPlan, NewPlanPrice, Plan, PlanPrice, PlanUpdate } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';

type Db = Kysely<Database>;

export async function listActivePlans(db: Db): Promise<Plan[]> {
  return db
    .selectFrom('plans')
    .selectAll()
    .where('active', '=', true)
    .orderBy('sort_order')
    .orderBy('price_cents')
    .orderBy('code')
    .execute();
}

/** Archived ones too, for admins. */
export async function listAllPlans(db: Db): Promise<Plan[]> {
  return db
    .selectFrom('plans')
    .selectAll()
    .orderBy('active', 'desc')
    .orderBy('sort_order')
    .orderBy('price_cents')
    .orderBy('code')
    .execute();
}

export async function findPlanByCode(db: Db, code: string): Promise<Plan | undefined> {
  return db.selectFrom('plans').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function findPlanById(db: Db, id: string): Promise<Plan | undefined> {
  return db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the row until the transaction ends, so two admin edits apply one after the other. */
export async function lockPlanByCode(db: Db, code: string): Promise<Plan | undefined> {
  return db.selectFrom('plans').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
}

/** Undefined when the code is taken (the unique index decides, not a racy pre-check). */
export async function insertPlan(db: Db, plan: NewPlan): Promise<Plan | undefined> {
  return db
    .insertInto('plans')
    .values(plan)
    .onConflict((conflict) => conflict.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Inserts what is missing by code and never touches an existing row. */
export async function insertMissingPlans(db: Db, plans: NewPlan[]): Promise<Plan[]> {
  if (plans.length === 0) return [];
  return db
    .insertInto('plans')
    .values(plans)
    .onConflict((conflict) => conflict.column('code').doNothing())
    .returningAll()
    .execute();
}

export async function updatePlan(db: Db, id: string, changes: PlanUpdate): Promise<Plan> {
  return db
    .updateTable('plans')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Where sort order is left out: after every existing plan. */
export async function nextSortOrder(db: Db): Promise<number> {
  const row = await db
    .selectFrom('plans')
    .select(sql<number>`coalesce(max(sort_order), 0) + 10`.as('next'))
    .executeTakeFirstOrThrow();
  return row.next;
}

/** Plans Stripe does not match yet (pending or failed), to queue their syncs again. */
export async function listUnsyncedPlanIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('plans')
    .select('id')
    .where('sync_state', 'in', ['pending', 'failed'])
    .execute();
  return rows.map((row) => row.id);
}

export async function listSyncablePlanIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('plans')
    .select('id')
    .where('sync_state', '<>', 'local')
    .execute();
  return rows.map((row) => row.id);
}

export async function listPlanPrices(db: Db, planIds: string[]): Promise<PlanPrice[]> {
  if (planIds.length === 0) return [];
  return (
    db
      .selectFrom('plan_prices')
      .selectAll()
      .where('plan_id', 'in', planIds)
      // Stripe's `created` has one-second resolution: the version breaks ties.
      .orderBy('created_at', 'desc')
      .orderBy(sql`plan_version desc nulls last`)
      .orderBy('stripe_price_id')
      .execute()
  );
}

/** Records a price as Stripe has it now (a price id never moves to another plan). */
export async function upsertPlanPrice(db: Db, price: NewPlanPrice): Promise<void> {
  await db
    .insertInto('plan_prices')
    .values(price)
    .onConflict((conflict) =>
      conflict
        .column('stripe_price_id')
        .doUpdateSet({ active: price.active })
        .where('plan_prices.plan_id', '=', price.plan_id),
    )
    .execute();
}

/**
 * The plan a Stripe price belongs to, current or long replaced: what a subscription, invoice
 * or checkout event names is a price id, and an old one must still resolve.
 */
export async function findPlanByStripePriceId(db: Db, priceId: string): Promise<Plan | undefined> {
  return db
    .selectFrom('plan_prices')
    .innerJoin('plans', 'plans.id', 'plan_prices.plan_id')
    .selectAll('plans')
    .where('plan_prices.stripe_price_id', '=', priceId)
    .executeTakeFirst();
}
