/**
 * The SQL of a grouped debit (debit-batch.ts): every statement covers the whole batch, so a
 * batch of 40 debits over 40 accounts costs the same few round trips as one.
 */
import type { CreditEntry, Database } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import type { DebitRequest } from './debit';

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

/**
 * Locks the accounts' balance rows until the transaction ends, waiting for each, in account
 * order (two batches over the same accounts cannot deadlock); an account without a row is
 * missing from the answer.
 */
export async function lockBalances(trx: Db, accounts: string[]): Promise<Map<string, number>> {
  const rows = await trx
    .selectFrom('credit_balances')
    .select(['user_id', 'balance'])
    .where('user_id', 'in', accounts)
    .orderBy('user_id')
    .forUpdate()
    .execute();
  return new Map(rows.map((row) => [row.user_id, row.balance]));
}

/**
 * lockBalances without waiting: the rows another transaction holds are skipped, and missing
 * from the answer as an account without a row is.
 */
export async function tryLockBalances(trx: Db, accounts: string[]): Promise<Map<string, number>> {
  const rows = await trx
    .selectFrom('credit_balances')
    .select(['user_id', 'balance'])
    .where('user_id', 'in', accounts)
    .forUpdate()
    .skipLocked()
    .execute();
  return new Map(rows.map((row) => [row.user_id, row.balance]));
}

export interface DecidedDebits {
  /** Each moved account's balance after the batch (its rows locked by this transaction). */
  balances: { userId: string; balance: number }[];
  /** In the order decided: per account, each balanceAfter follows from the one before. */
  debits: { request: DebitRequest; balanceAfter: number }[];
  at: Date;
}

/**
 * The new balances and the entries in one statement. The entries are inserted in the order
 * given (the SELECT is ordered, and identity values are drawn as its rows come), so per
 * account their ids follow the order balance_after chains in (what credits:verify checks).
 */
export async function writeDebits(trx: Db, decided: DecidedDebits): Promise<CreditEntry[]> {
  const { balances, debits, at } = decided;
  const { rows } = await sql<CreditEntry>`
    with moved as (
      update credit_balances as b
         set balance = v.balance, updated_at = ${at}
        from unnest(${balances.map((b) => b.userId)}::uuid[],
                    ${balances.map((b) => b.balance)}::int[]) as v(user_id, balance)
       where b.user_id = v.user_id
    )
    insert into credit_ledger
      (user_id, kind, delta, balance_after, reason, idempotency_key, source_ref, metadata, created_at)
    select e.user_id, 'debit', -e.amount, e.balance_after, e.reason, e.idempotency_key, null,
           e.metadata::jsonb, ${at}
      from unnest(${debits.map((d) => d.request.userId)}::uuid[],
                  ${debits.map((d) => d.request.amount)}::int[],
                  ${debits.map((d) => d.balanceAfter)}::int[],
                  ${debits.map((d) => d.request.reason)}::text[],
                  ${debits.map((d) => d.request.idempotencyKey)}::text[],
                  ${debits.map((d) => JSON.stringify(d.request.metadata))}::text[])
           with ordinality
           as e(user_id, amount, balance_after, reason, idempotency_key, metadata, position)
     order by e.position
    returning *`.execute(trx);
  return rows;
}
