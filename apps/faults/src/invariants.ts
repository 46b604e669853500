/**
 * What must hold after any fault, checked in SQL on the database itself (never through the
 * API under test), plus `pnpm credits:verify` run as the operator runs it. Each check answers
 * its findings (empty when it holds), so a failure says which rows broke it.
 */
import { spawn } from 'node:child_process';
import type pg from 'pg';
import { REPO_ROOT } from './stack';

/** Accounts below zero (the CHECK should make this impossible). */
export async function negativeBalances(pool: pg.Pool) {
  const { rows } = await pool.query<{ user_id: string; balance: number }>(
    'select user_id, balance from credit_balances where balance < 0',
  );
  return rows;
}

/** Accounts whose balance differs from the sum of their ledger entries. */
export async function ledgerSumMismatches(pool: pg.Pool) {
  const { rows } = await pool.query<{ user_id: string; balance: number; ledger_sum: number }>(
    `select user_id, coalesce(b.balance, 0)::int as balance, coalesce(l.total, 0)::int as ledger_sum
       from credit_balances b
       full join (select user_id, sum(delta) as total from credit_ledger group by user_id) l
      using (user_id)
      where coalesce(b.balance, 0) <> coalesce(l.total, 0)`,
  );
  return rows;
}

/** Idempotency keys with more than one effect: ledger entries and usage records together. */
export async function keysWithSeveralEffects(pool: pg.Pool) {
  const { rows } = await pool.query<{ key: string; effects: number }>(
    `select key, count(*)::int as effects from (
       select idempotency_key as key from credit_ledger where idempotency_key is not null
       union all
       select idempotency_key from usage_records
        where credit_entry_id is null
     ) effects group by key having count(*) > 1`,
  );
  return rows;
}

/** Of `keys` (acknowledged requests), those with no effect in the database. */
export async function missingKeys(pool: pg.Pool, keys: readonly string[]) {
  const { rows } = await pool.query<{ key: string }>(
    `select key from unnest($1::text[]) key
      where not exists (select 1 from credit_ledger where idempotency_key = key)
        and not exists (select 1 from usage_records where idempotency_key = key)`,
    [keys],
  );
  return rows.map((row) => row.key);
}

/** Debits and usage entries of `userIds` whose key is not in `sent`: effects nobody asked for. */
export async function unaskedEntries(
  pool: pg.Pool,
  userIds: readonly string[],
  sent: readonly string[],
) {
  const { rows } = await pool.query<{ id: string; idempotency_key: string | null }>(
    `select id::text, idempotency_key from credit_ledger
      where user_id = any($1::uuid[]) and kind in ('debit', 'usage')
        and (idempotency_key is null or not (idempotency_key = any($2::text[])))`,
    [userIds, sent],
  );
  return rows;
}

/** The debit entries' keys of `userIds`. */
export async function debitKeys(pool: pg.Pool, userIds: readonly string[]) {
  const { rows } = await pool.query<{ idempotency_key: string }>(
    `select idempotency_key from credit_ledger where user_id = any($1::uuid[]) and kind = 'debit'`,
    [userIds],
  );
  return rows.map((row) => row.idempotency_key);
}

export async function balanceOf(pool: pg.Pool, userId: string): Promise<number | undefined> {
  const { rows } = await pool.query<{ balance: number }>(
    'select balance from credit_balances where user_id = $1',
    [userId],
  );
  return rows[0]?.balance;
}

/**
 * `pnpm credits:verify` (apps/api/src/scripts/verify-credits.ts) against the scenario's
 * database: its exit status and its output.
 */
export function runCreditsVerify(
  databaseUrl: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'apps/api/src/scripts/verify-credits.ts'],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: databaseUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Usage that disagrees with itself: a period's counter beyond its allowance or unequal to its
 * records' included quantities, or records whose credits differ from their ledger entries.
 */
export async function usageMismatches(pool: pg.Pool) {
  const { rows } = await pool.query<{ user_id: string; problem: string }>(
    `select user_id, 'counter above its allowance' as problem
       from usage_counters where used > included
     union all
     select c.user_id, 'counter differs from its records'
       from usage_counters c
       left join (select user_id, period_start, sum(included_quantity) as taken
                    from usage_records group by user_id, period_start) r
      using (user_id, period_start)
      where c.used <> coalesce(r.taken, 0)
     union all
     select r.user_id, 'credits spent differ from the ledger'
       from usage_records r
       left join credit_ledger l on l.id = r.credit_entry_id
      where r.credits_spent <> coalesce(-l.delta, 0)
         or (r.credit_entry_id is not null and l.idempotency_key <> r.idempotency_key)`,
  );
  return rows;
}
