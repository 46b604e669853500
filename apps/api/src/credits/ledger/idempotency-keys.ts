/**
 * One idempotency key space for every effect on an account: credit ledger entries (debits,
 * grants, usage paid with credits) and usage records. Within the ledger the unique index
 * decides; but a usage record fully covered by the plan's allowance writes no ledger entry,
 * so a debit and a usage record sent with one key would both take effect without this.
 *
 * Both writers take a transaction-scoped advisory lock on the key before they check for the
 * other's row, so one of them always sees the other's committed write: the lock is released
 * only at commit. Lock order everywhere: the key first, then the usage counter or balance row.
 */
import type { Database } from '@tollbooth/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';

type Db = Kysely<Database>;

/**
 * The advisory lock id of a key, as SQL over `key` (a parameter or a column): one expression
 * for every writer, so a lone debit, a grouped one and a usage record lock the same id.
 */
const lockIdOf = (key: RawBuilder<string>) =>
  sql<string>`hashtextextended('idempotency:' || (${key})::text, 0)`;

/** Serialises the writers of one key until this transaction ends. */
export async function lockIdempotencyKey(trx: Db, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${lockIdOf(sql.val(key))})`.execute(trx);
}

/**
 * lockIdempotencyKey for many keys (a grouped debit, credits/debit/debit-batch.ts), in the
 * order of their lock ids: two batches with overlapping keys take them in the same order and
 * cannot deadlock.
 */
export async function lockIdempotencyKeys(trx: Db, keys: string[]): Promise<void> {
  await sql`
    select pg_advisory_xact_lock(lock_id)
      from (select ${lockIdOf(sql.ref('key'))} as lock_id
              from unnest(${keys}::text[]) as key
             order by lock_id) ordered`.execute(trx);
}

/**
 * lockIdempotencyKeys without waiting (the debit lane, credits/debit/debit-lane.ts): the keys
 * whose lock was free, now held until this transaction ends. A key another transaction holds
 * is left out.
 */
export async function tryLockIdempotencyKeys(trx: Db, keys: string[]): Promise<Set<string>> {
  const { rows } = await sql<{ key: string }>`
    select key from unnest(${keys}::text[]) as key
     where pg_try_advisory_xact_lock(${lockIdOf(sql.ref('key'))})`.execute(trx);
  return new Set(rows.map((row) => row.key));
}

/** Whether a usage record holds the key (it may have no ledger entry of its own). */
export async function usageRecordHoldsKey(trx: Db, key: string): Promise<boolean> {
  const row = await trx
    .selectFrom('usage_records')
    .select('id')
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row !== undefined;
}

/** Which of the keys a usage record holds (usageRecordHoldsKey for many). */
export async function keysHeldByUsageRecords(trx: Db, keys: string[]): Promise<Set<string>> {
  const rows = await trx
    .selectFrom('usage_records')
    .select('idempotency_key')
    .where('idempotency_key', 'in', keys)
    .execute();
  return new Set(rows.map((row) => row.idempotency_key));
}
