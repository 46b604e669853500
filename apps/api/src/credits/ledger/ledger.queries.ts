/**
 * The ledger's SQL. The one rule every writer here keeps: lock the account's balance row
 * first, then insert its entry, in one transaction (or one statement). Entries of one account
 * are then numbered in the order their changes happened, which is what makes balance_after a
 * chain that `credits:verify` can check.
 */
import type { CreditEntry, CreditEntryKind, Database, Json } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';

type Db = Kysely<Database>;

export interface NewEntry {
  userId: string;
  kind: CreditEntryKind;
  reason: string | null;
  idempotencyKey: string | null;
  sourceRef: string | null;
  metadata: Json;
  at: Date;
}

/**
 * The guarded decrement: takes `amount` from the balance only if the balance holds it, and
 * writes the entry, in one statement. Undefined when the balance is short (or the account has
 * none): nothing changed. A used idempotency key makes the INSERT fail with a unique
 * violation, which undoes the decrement with it.
 */
export async function debitBalance(
  db: Db,
  entry: NewEntry & { amount: number },
): Promise<CreditEntry | undefined> {
  const { rows } = await sql<CreditEntry>`
    with debited as (
      update credit_balances
         set balance = balance - ${entry.amount}, updated_at = ${entry.at}
       where user_id = ${entry.userId} and balance >= ${entry.amount}
      returning user_id, balance
    )
    insert into credit_ledger
      (user_id, kind, delta, balance_after, reason, idempotency_key, source_ref, metadata, created_at)
    select user_id, ${entry.kind}::credit_entry_kind, ${-entry.amount}, balance, ${entry.reason},
           ${entry.idempotencyKey}, ${entry.sourceRef}, ${JSON.stringify(entry.metadata)}::jsonb,
           ${entry.at}
      from debited
    returning *`.execute(db);
  return rows[0];
}

/**
 * Locks the account's balance row until the transaction ends (creating it at 0 on the first
 * credit) and returns the balance. While it is held, no other change of this account runs, so
 * what the caller reads next (an earlier entry of the same source) cannot change under it.
 */
export async function lockBalance(db: Db, userId: string): Promise<number> {
  const row = await db
    .insertInto('credit_balances')
    .values({ user_id: userId, balance: 0 })
    .onConflict((oc) =>
      // A no-op update: ON CONFLICT DO UPDATE locks the row it conflicts with.
      oc.column('user_id').doUpdateSet((eb) => ({ balance: eb.ref('credit_balances.balance') })),
    )
    .returning('balance')
    .executeTakeFirstOrThrow();
  return row.balance;
}

/** Sets a locked balance row (lockBalance) to its new value. */
export async function setBalance(
  db: Db,
  args: { userId: string; balance: number; at: Date },
): Promise<void> {
  await db
    .updateTable('credit_balances')
    .set({ balance: args.balance, updated_at: args.at })
    .where('user_id', '=', args.userId)
    .execute();
}

export async function insertEntry(
  db: Db,
  entry: NewEntry & { delta: number; balanceAfter: number },
): Promise<CreditEntry> {
  return db
    .insertInto('credit_ledger')
    .values({
      user_id: entry.userId,
      kind: entry.kind,
      delta: entry.delta,
      balance_after: entry.balanceAfter,
      reason: entry.reason,
      idempotency_key: entry.idempotencyKey,
      source_ref: entry.sourceRef,
      metadata: JSON.stringify(entry.metadata),
      created_at: entry.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findEntryByKey(db: Db, key: string): Promise<CreditEntry | undefined> {
  return db
    .selectFrom('credit_ledger')
    .selectAll()
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export async function findEntryBySource(
  db: Db,
  source: { kind: CreditEntryKind; ref: string },
): Promise<CreditEntry | undefined> {
  return db
    .selectFrom('credit_ledger')
    .selectAll()
    .where('kind', '=', source.kind)
    .where('source_ref', '=', source.ref)
    .executeTakeFirst();
}

/** 0 for an account that never had credits. */
export async function findBalance(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('credit_balances')
    .select('balance')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.balance ?? 0;
}
