/** The SQL of credit packs and of the packs bought (migration 0012). */
import type {
  CreditPack,
  CreditPackPurchase,
  Database,
  NewCreditPack,
  NewCreditPackPurchase,
} from '@tollbooth/db';
import type { Kysely } from 'kysely';

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
