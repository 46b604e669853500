/**
 * The sync job's bookkeeping on the plan row: attempts, the outcome, and what Stripe holds.
 */
import type { Database, NewPlanPrice, Plan } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import { upsertPlanPrice } from './plans.queries';

type Db = Kysely<Database>;

/** Counts the attempt and returns the plan as it is now (undefined for the free tier). */
export async function startSyncAttempt(db: Db, planId: string): Promise<Plan | undefined> {
  return db
    .updateTable('plans')
    .set({ sync_attempts: sql`sync_attempts + 1` })
    .where('id', '=', planId)
    .where('sync_state', '<>', 'local')
    .returningAll()
    .executeTakeFirst();
}

export interface SyncOutcome {
  productId: string;
  currentPriceId: string;
  /** Every price of the product as Stripe has it after the sync. */
  prices: NewPlanPrice[];
}

/**
 * Records what Stripe holds (always: those are facts) and marks the plan synced only if no
 * admin changed it while the job ran; otherwise it stays pending for the job that change
 * queued.
 */
export async function recordSyncOutcome(
  db: Db,
  plan: Plan,
  outcome: SyncOutcome,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const price of outcome.prices) await upsertPlanPrice(trx, price);
    await trx
      .updateTable('plans')
      .set({ stripe_product_id: outcome.productId, stripe_price_id: outcome.currentPriceId })
      .where('id', '=', plan.id)
      .execute();
    await trx
      .updateTable('plans')
      .set({
        sync_state: 'synced',
        synced_version: plan.version,
        synced_at: now,
        sync_error: null,
        sync_attempts: 0,
      })
      .where('id', '=', plan.id)
      .where('version', '=', plan.version)
      .execute();
  });
}

export async function recordSyncFailure(db: Db, planId: string, error: string): Promise<void> {
  await db
    .updateTable('plans')
    .set({ sync_state: 'failed', sync_error: error.slice(0, 1000) })
    .where('id', '=', planId)
    .where('sync_state', '<>', 'local')
    .execute();
}
