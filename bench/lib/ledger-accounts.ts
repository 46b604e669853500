/**
 * The accounts the debit figures spend from: one hot account and 1,000 spread accounts, each
 * granted far more credits than a bench run can spend, an admin, and a server API key
 * (`credits:write usage:write`) acting for them. The key, the operation type and the grants go
 * through the API (admin.*), as a product sets itself up; the accounts are rows in `users`
 * with ids the pgbench baseline can compute (`accountId(n)`), since a sign-up per account
 * would measure argon2, not money.
 */
import { randomUUID } from 'node:crypto';
import { createTollboothClient, memoryTokenStore } from '@tollbooth/sdk';
import pg from 'pg';

export const SPREAD_ACCOUNTS = 1_000;
/** Far beyond what a run spends (a few thousand debits a second for minutes). */
const HOT_GRANT = 1_000_000_000;
const SPREAD_GRANT = 100_000_000;
/** What usage.record meters: 1 credit a unit, every unit beyond the (zero) allowance. */
export const BENCH_OPERATION = 'bench_operation';
const GRANT_CONCURRENCY = 20;

/** Account 0 is the hot one, 1…1000 the spread ones. */
export function accountId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** The SQL expression of accountId(n) for a pgbench variable `:name`. */
export function accountIdSql(variable: string): string {
  return `('00000000-0000-4000-8000-' || lpad(:${variable}::text, 12, '0'))::uuid`;
}

export interface LedgerAccounts {
  hot: string;
  spread: string[];
  apiKey: string;
}

/** Per database: `pnpm bench:compare` sets the suite up twice, for two builds on one database. */
const prepared = new Map<string, Promise<LedgerAccounts>>();

export function setupLedgerAccounts(apiUrl: string, databaseUrl: string): Promise<LedgerAccounts> {
  let accounts = prepared.get(databaseUrl);
  if (!accounts) {
    accounts = createLedgerAccounts(apiUrl, databaseUrl);
    prepared.set(databaseUrl, accounts);
  }
  return accounts;
}

async function createLedgerAccounts(apiUrl: string, databaseUrl: string): Promise<LedgerAccounts> {
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  try {
    await database.query(
      `insert into users (id, email)
       select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
              'bench-account-' || n || '@example.test'
         from generate_series(0, $1::int) n`,
      [SPREAD_ACCOUNTS],
    );
    // Every usage.record goes beyond the free plan's allowance and is paid with credits:
    // the figure measures the metered path that touches the ledger.
    await database.query(
      `update plans set included_operations = 0, overage_mode = 'credits' where code = 'free'`,
    );
    const admin = await signUpAdmin(apiUrl, database);
    await admin.admin.usage.operationTypes.create.mutate({
      code: BENCH_OPERATION,
      name: 'Bench operation',
      unitCostCredits: 1,
    });
    const { key } = await admin.admin.apiKeys.create.mutate({
      name: 'bench',
      scopes: ['credits:write', 'usage:write'],
    });
    const spread = Array.from({ length: SPREAD_ACCOUNTS }, (_, i) => accountId(i + 1));
    const grants = [
      { userId: accountId(0), amount: HOT_GRANT },
      ...spread.map((userId) => ({ userId, amount: SPREAD_GRANT })),
    ];
    for (let i = 0; i < grants.length; i += GRANT_CONCURRENCY) {
      await Promise.all(
        grants.slice(i, i + GRANT_CONCURRENCY).map((grant) =>
          admin.admin.credits.grant.mutate({
            ...grant,
            reason: 'bench credits',
            idempotencyKey: `bench-grant-${randomUUID()}`,
          }),
        ),
      );
    }
    return { hot: accountId(0), spread, apiKey: key };
  } finally {
    await database.end();
  }
}

/** A signed-in account with role admin (as `pnpm admin:promote` makes one). */
async function signUpAdmin(apiUrl: string, database: pg.Client) {
  const email = `bench-admin-${Date.now()}@example.test`;
  const registered = await createTollboothClient({ url: apiUrl }).auth.register.mutate({
    email,
    password: 'bench admin passphrase',
  });
  if (registered.verificationRequired) throw new Error('bench needs REGISTRATION_MODE=open');
  await database.query(`update users set role = 'admin' where email = $1`, [email]);
  return createTollboothClient({
    url: apiUrl,
    tokenStore: memoryTokenStore({
      accessToken: registered.accessToken,
      refreshToken: registered.refreshToken,
    }),
  });
}
