/** The SQL of credit packs and of the packs bought (migration 0012). */
import type {
  CreditPack,
  CreditPackPurchase,
  CreditPackUpdate,
  Database,
  NewCreditPack,
  NewCreditPackPurchase,
} from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import type { ProductSyncOutcome } from '../../billing/catalog/stripe-product-sync';

type Db = Kysely<Database>;

export async function listActivePacks(db: Db): Promise<CreditPack[]> {
  return db
    .selectFrom('credit_packs')
    .selectAll()
    .where('active', '=', true)
    .orderBy('sort_order')
    .orderBy('code')
    .execute();
}

export async function findActivePack(db: Db, code: string): Promise<CreditPack | undefined> {
  return db
    .selectFrom('credit_packs')
    .selectAll()
    .where('code', '=', code)
    .where('active', '=', true)
    .executeTakeFirst();
}

/** Archived ones too, for admins. */
export async function listAllPacks(db: Db): Promise<CreditPack[]> {
  return db
    .selectFrom('credit_packs')
    .selectAll()
    .orderBy('active', 'desc')
    .orderBy('sort_order')
    .orderBy('code')
    .execute();
}

/** Locks the row until the transaction ends, so two admin edits apply one after the other. */
export async function lockPack(db: Db, code: string): Promise<CreditPack | undefined> {
  return db
    .selectFrom('credit_packs')
    .selectAll()
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
}

/** Undefined when the code is taken (the primary key decides, not a racy pre-check). */
export async function insertPack(db: Db, pack: NewCreditPack): Promise<CreditPack | undefined> {
  return db
    .insertInto('credit_packs')
    .values(pack)
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updatePack(
  db: Db,
  code: string,
  changes: CreditPackUpdate,
): Promise<CreditPack> {
  return db
    .updateTable('credit_packs')
    .set(changes)
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Where sort order is left out: after every existing pack. */
export async function nextPackSortOrder(db: Db): Promise<number> {
  const row = await db
    .selectFrom('credit_packs')
    .select(sql<number>`coalesce(max(sort_order), 0) + 1`.as('next'))
    .executeTakeFirstOrThrow();
  return row.next;
}

/** Packs to queue syncs for: those Stripe does not match yet (pending or failed), or all. */
export async function listPackCodesToSync(db: Db, which: 'unsynced' | 'all'): Promise<string[]> {
  let query = db.selectFrom('credit_packs').select('code');
  if (which === 'unsynced') query = query.where('sync_state', 'in', ['pending', 'failed']);
  const rows = await query.orderBy('code').execute();
  return rows.map((row) => row.code);
}

/** Counts the sync attempt and returns the pack as it is now. */
export async function startPackSyncAttempt(db: Db, code: string): Promise<CreditPack | undefined> {
  return db
    .updateTable('credit_packs')
    .set({ sync_attempts: sql`sync_attempts + 1` })
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Records what Stripe holds (always: those are facts) and marks the pack synced only if no
 * admin changed it while the job ran; otherwise it stays pending for the job that change
 * queued.
 */
export async function recordPackSyncOutcome(
  db: Db,
  pack: CreditPack,
  outcome: ProductSyncOutcome,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('credit_packs')
      .set({ stripe_product_id: outcome.productId, stripe_price_id: outcome.currentPriceId })
      .where('code', '=', pack.code)
      .execute();
    await trx
      .updateTable('credit_packs')
      .set({
        sync_state: 'synced',
        synced_version: pack.version,
        synced_at: now,
        sync_error: null,
        sync_attempts: 0,
      })
      .where('code', '=', pack.code)
      .where('version', '=', pack.version)
      .execute();
  });
}

export async function recordPackSyncFailure(db: Db, code: string, error: string): Promise<void> {
  await db
    .updateTable('credit_packs')
    .set({ sync_state: 'failed', sync_error: error.slice(0, 1000) })
    .where('code', '=', code)
    .execute();
}

/** Inserts the packs whose code is missing; an existing pack is the database's (admin edits survive). */
export async function insertMissingPacks(db: Db, packs: NewCreditPack[]): Promise<string[]> {
  const rows = await db
    .insertInto('credit_packs')
    .values(packs)
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .execute();
  return rows.map((row) => row.code);
}

export async function insertPurchase(db: Db, row: NewCreditPackPurchase): Promise<void> {
  await db
    .insertInto('credit_pack_purchases')
    .values(row)
    .onConflict((oc) => oc.column('checkout_session_id').doNothing())
    .execute();
}

/** The purchase paid by this payment intent, locked until the transaction ends. */
export async function lockPurchaseByIntent(
  db: Db,
  paymentIntentId: string,
): Promise<CreditPackPurchase | undefined> {
  return db
    .selectFrom('credit_pack_purchases')
    .selectAll()
    .where('payment_intent_id', '=', paymentIntentId)
    .forUpdate()
    .executeTakeFirst();
}

export async function recordReversal(
  db: Db,
  args: { sessionId: string; refundedAmount: number; reversed: number; shortfall: number },
): Promise<void> {
  await db
    .updateTable('credit_pack_purchases')
    .set((eb) => ({
      refunded_amount: args.refundedAmount,
      reversed_credits: eb('reversed_credits', '+', args.reversed),
      shortfall: eb('shortfall', '+', args.shortfall),
    }))
    .where('checkout_session_id', '=', args.sessionId)
    .execute();
}

/** Purchases whose refund took back less than it should have (the credits were spent). */
export async function listShortfalls(db: Db, limit: number): Promise<CreditPackPurchase[]> {
  return db
    .selectFrom('credit_pack_purchases')
    .selectAll()
    .where('shortfall', '>', 0)
    .orderBy('purchased_at', 'desc')
    .limit(limit)
    .execute();
}
