import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../harness';
import { newEmail, PASSWORD, registerAccount } from '../support/accounts';

/**
 * Counts every row written to rate_limits, whoever writes it, with a trigger on the table:
 * the store's upserts, rewards and deletes all show up as one row each here.
 */
async function countRateLimitWrites(t: TestApp) {
  await t.deps.pool.query(`
    create table rate_limit_writes (key text not null, op text not null);
    create function count_rate_limit_write() returns trigger language plpgsql as $$
      begin
        insert into rate_limit_writes values (coalesce(new.key, old.key), tg_op);
        return null;
      end $$;
    create trigger count_writes after insert or update or delete on rate_limits
      for each row execute function count_rate_limit_write();
  `);
  return {
    /** The rules written since the last call, e.g. ['login.ip']. */
    async take(): Promise<string[]> {
      const { rows } = await t.deps.pool.query('delete from rate_limit_writes returning key');
      return z
        .array(z.object({ key: z.string() }))
        .parse(rows)
        .map((row) => row.key.split(':')[0] ?? '')
        .sort();
    },
  };
}

describe('rate-limit round trips', () => {
  it('a successful login writes its counters once: the per-network attempt', async () => {
    const t = await createTestApp();
    const { email } = await registerAccount(t);
    const writes = await countRateLimitWrites(t);

    await t.client().auth.login.mutate({ email, password: PASSWORD });

    expect(await writes.take()).toEqual(['login.ip']);
  });

  it('a failed login writes the attempt and both failure counters', async () => {
    const t = await createTestApp();
    const writes = await countRateLimitWrites(t);

    await expect(
      t.client().auth.login.mutate({ email: newEmail(), password: 'wrong password' }),
    ).rejects.toThrow();

    expect(await writes.take()).toEqual(['login.account', 'login.account.ip', 'login.ip']);
  });
});
