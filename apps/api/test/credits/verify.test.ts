import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase } from '@tollbooth/db/vitest';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness';
import { failure } from '../support/accounts';
import { createKey, createUser, grant, keyClient, signInAdmin } from './credits-testing';

const run = promisify(execFile);
const apiDir = fileURLToPath(new URL('../..', import.meta.url));

/** `pnpm credits:verify` as a process against `databaseUrl`: its exit code and output. */
async function creditsVerify(databaseUrl: string) {
  const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: databaseUrl };
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/scripts/verify-credits.ts'],
      { cwd: apiDir, env },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** Two accounts with grants and debits: a consistent ledger. */
async function ledgerWithActivity(t: TestApp) {
  const { client: admin } = await signInAdmin(t);
  const client = keyClient(t, (await createKey(admin)).key);
  const users = [await createUser(t), await createUser(t)];
  for (const [i, userId] of users.entries()) {
    await grant(admin, userId, 20 + i);
    await client.credits.debit.mutate({ userId, amount: 5, idempotencyKey: `v-${userId}` });
  }
  return { admin, users };
}

describe('the ledger check', () => {
  it('admin.credits.verify passes a consistent ledger and names the account whose balance row was changed behind its back', async () => {
    const t = await createTestApp();
    const { admin, users } = await ledgerWithActivity(t);
    const before = await admin.admin.credits.verify.query();

    await sql`update credit_balances set balance = balance + 3 where user_id = ${users[1]}`.execute(
      t.deps.db,
    );
    const after = await admin.admin.credits.verify.query();

    expect(before).toMatchObject({
      ok: true,
      accounts: 2,
      entries: 4,
      totalBalance: 31,
      balanceMismatches: { count: 0 },
      chainBreaks: { count: 0 },
    });
    expect(after).toMatchObject({
      ok: false,
      balanceMismatches: { count: 1, listed: [{ userId: users[1], balance: 19, ledgerSum: 16 }] },
      chainBreaks: { count: 0 },
    });
  });

  it('finds an entry whose balance_after does not follow from the one before', async () => {
    const t = await createTestApp();
    const { admin, users } = await ledgerWithActivity(t);
    const userId = users[0] ?? '';
    // A hand-made entry whose delta keeps the sum right but whose balance_after is wrong.
    await t.deps.db
      .insertInto('credit_ledger')
      .values({
        user_id: userId,
        kind: 'adjustment',
        delta: 2,
        balance_after: 99,
        idempotency_key: 'hand-made',
      })
      .execute();
    await sql`update credit_balances set balance = balance + 2 where user_id = ${userId}`.execute(
      t.deps.db,
    );

    const report = await admin.admin.credits.verify.query();

    expect(report).toMatchObject({
      ok: false,
      balanceMismatches: { count: 0 },
      chainBreaks: { count: 1, listed: [{ userId, expected: 17, balanceAfter: 99 }] },
    });
  });

  it('`pnpm credits:verify` exits 0 on a consistent ledger and 1, naming the account, once a balance row is corrupted', async () => {
    const databaseUrl = await createTestDatabase();
    const t = await createTestApp({ databaseUrl });
    const { users } = await ledgerWithActivity(t);

    const good = await creditsVerify(databaseUrl);
    await sql`update credit_balances set balance = 0 where user_id = ${users[0]}`.execute(
      t.deps.db,
    );
    const bad = await creditsVerify(databaseUrl);

    expect(good).toEqual({
      code: 0,
      output: expect.stringContaining('credits:verify OK: 2 accounts, 4 ledger entries'),
    });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain(`balance mismatch: user ${users[0]} has balance 0, ledger sum 15`);
  });

  it('keeps the ledger append-only: the database refuses to change or delete an entry', async () => {
    const t = await createTestApp();
    await ledgerWithActivity(t);

    const update = sql`update credit_ledger set delta = delta + 1`.execute(t.deps.db);
    const remove = sql`delete from credit_ledger`.execute(t.deps.db);

    await expect(update).rejects.toThrow(/append-only/);
    await expect(remove).rejects.toThrow(/append-only/);
  });

  it('is for admins only', async () => {
    const t = await createTestApp();
    const { users } = await ledgerWithActivity(t);
    const client = keyClient(t, (await createKey((await signInAdmin(t)).client)).key);

    const error = await failure(client.admin.credits.verify.query());

    expect(error.appCode).toBe('UNAUTHENTICATED');
    expect(users).toHaveLength(2);
  });
});
