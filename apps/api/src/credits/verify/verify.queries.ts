import type { Database } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';

/** How many mismatches of each kind a report lists (the counts are always complete). */
const LISTED = 100;

export interface BalanceMismatch {
  userId: string;
  balance: number;
  ledgerSum: number;
}

export interface ChainBreak {
  userId: string;
  entryId: string;
  /** The previous entry's balance_after plus this entry's delta. */
  expected: number;
  balanceAfter: number;
}

export async function countLedger(db: Kysely<Database>) {
  const { rows } = await sql<{ accounts: number; entries: number; total: number }>`
    select (select count(*) from credit_balances) as accounts,
           (select count(*) from credit_ledger) as entries,
           (select coalesce(sum(balance), 0) from credit_balances) as total`.execute(db);
  return rows[0] ?? { accounts: 0, entries: 0, total: 0 };
}

/** Accounts whose balance row differs from the sum of their entries (either may be missing). */
export async function findBalanceMismatches(db: Kysely<Database>) {
  const { rows } = await sql<BalanceMismatch & { count: number }>`
    select user_id as "userId", coalesce(b.balance, 0) as balance,
           coalesce(l.total, 0) as "ledgerSum", count(*) over () as count
      from credit_balances b
      full join (select user_id, sum(delta) as total from credit_ledger group by user_id) l
     using (user_id)
     where coalesce(b.balance, 0) <> coalesce(l.total, 0)
     order by user_id
     limit ${LISTED}`.execute(db);
  return { count: rows[0]?.count ?? 0, listed: rows.map(({ count: _, ...row }) => row) };
}

/** Entries whose balance_after is not the previous entry's (0 before the first) plus delta. */
export async function findChainBreaks(db: Kysely<Database>) {
  const { rows } = await sql<ChainBreak & { count: number }>`
    select user_id as "userId", id::text as "entryId", previous + delta as expected,
           balance_after as "balanceAfter", count(*) over () as count
      from (select user_id, id, delta, balance_after,
                   lag(balance_after, 1, 0) over (partition by user_id order by id) as previous
              from credit_ledger) chained
     where previous + delta <> balance_after
     order by user_id, id
     limit ${LISTED}`.execute(db);
  return { count: rows[0]?.count ?? 0, listed: rows.map(({ count: _, ...row }) => row) };
}
