/**
 * The SQL of a grouped debit (debit-batch.ts): every statement covers the whole batch, so a
 * batch of 40 debits costs the same few round trips as one.
 */
import type { CreditEntry, Database, NewCreditEntry } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';

type Db = Kysely<Database>;

/**
 * lockIdempotencyKey for many keys, in the order of their lock ids: two batches with
 * overlapping keys (in two processes) take them in the same order and cannot deadlock.
 */
export async function lockIdempotencyKeys(trx: Db, keys: string[]): Promise<void> {
  await sql`
    select pg_advisory_xact_lock(lock_id)
      from (select hashtextextended('idempotency:' || key, 0) as lock_id
              from unnest(${keys}::text[]) as key
             order by lock_id) ordered`.execute(trx);
}

/** Which of the keys a usage record holds. */
export async function keysHeldByUsageRecords(trx: Db, keys: string[]): Promise<Set<string>> {
  const rows = await trx
    .selectFrom('usage_records')
    .select('idempotency_key')
    .where('idempotency_key', 'in', keys)
    .execute();
  return new Set(rows.map((row) => row.idempotency_key));
}

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
