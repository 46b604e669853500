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
import { type Kysely, sql } from 'kysely';

type Db = Kysely<Database>;

/** Serialises the writers of one key until this transaction ends. */
export async function lockIdempotencyKey(trx: Db, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`idempotency:${key}`}, 0))`.execute(
    trx,
  );
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
