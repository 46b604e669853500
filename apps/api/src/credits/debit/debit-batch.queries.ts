/**
 * The SQL of a grouped debit (debit-batch.ts): every statement covers the whole batch, so a
 * batch of 40 debits costs the same few round trips as one.
 */
import type { CreditEntry, Database, NewCreditEntry } from '@tollbooth/db';
import type { Kysely } from 'kysely';

type Db = Kysely<Database>;

/** The ledger entries the keys already have, by key. */
export async function entriesByKeys(trx: Db, keys: string[]): Promise<Map<string, CreditEntry>> {
  const rows = await trx
    .selectFrom('credit_ledger')
    .selectAll()
    .where('idempotency_key', 'in', keys)
    .execute();
  return new Map(rows.map((row) => [row.idempotency_key ?? '', row]));
}

/** Locks the account's balance row until the transaction ends; undefined when it has none. */
export async function lockExistingBalance(trx: Db, userId: string): Promise<number | undefined> {
  const row = await trx
    .selectFrom('credit_balances')
    .select('balance')
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
  return row?.balance;
}

/**
 * The batch's entries in one statement, in the order given: their ids follow that order, so
 * each balance_after chains from the one before (what credits:verify checks).
 */
export async function insertEntries(trx: Db, entries: NewCreditEntry[]): Promise<CreditEntry[]> {
  return trx.insertInto('credit_ledger').values(entries).returningAll().execute();
}
