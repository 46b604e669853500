/**
 * After the debit figures: the ledger must still be exact. The same checks as
 * `pnpm credits:verify` (apps/api/src/credits/verify), which is also run as is and must exit 0:
 * every balance equals its account's ledger sum, every balance_after chains from the entry
 * before it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface LedgerCheck {
  rows: number;
  accounts: number;
  mismatchedAccounts: number;
  chainBreaks: number;
  allEqual: boolean;
  verify: string;
}

export async function checkLedger(repoRoot: string, databaseUrl: string): Promise<LedgerCheck> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let counts: { rows: number; accounts: number; mismatched: number; breaks: number };
  try {
    const { rows } = await client.query<{
      rows: string;
      accounts: string;
      mismatched: string;
      breaks: string;
    }>(`
      select (select count(*) from credit_ledger) as rows,
             (select count(*) from credit_balances) as accounts,
             (select count(*)
                from credit_balances b
                full join (select user_id, sum(delta) as total from credit_ledger group by user_id) l
               using (user_id)
               where coalesce(b.balance, 0) <> coalesce(l.total, 0)) as mismatched,
             (select count(*)
                from (select delta, balance_after,
                             lag(balance_after, 1, 0) over (partition by user_id order by id) as previous
                        from credit_ledger) chained
               where previous + delta <> balance_after) as breaks`);
    const row = rows[0];
    if (!row) throw new Error('the ledger check returned no row');
    counts = {
      rows: Number(row.rows),
      accounts: Number(row.accounts),
      mismatched: Number(row.mismatched),
      breaks: Number(row.breaks),
    };
  } finally {
    await client.end();
  }
  // The product's own check; a non-zero exit (a mismatch) rejects and fails the bench.
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'apps/api/src/scripts/verify-credits.ts'],
    { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl } },
  );
  return {
    rows: counts.rows,
    accounts: counts.accounts,
    mismatchedAccounts: counts.mismatched,
    chainBreaks: counts.breaks,
    allEqual: counts.mismatched === 0 && counts.breaks === 0,
    verify: stdout.trim(),
  };
}
