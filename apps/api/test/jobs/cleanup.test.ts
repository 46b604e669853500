import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/jobs/queue';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp } from '../harness';
import { newEmail, registerAccount } from '../support/accounts';

describe('the hourly cleanup job', () => {
  it('deletes expired one-time secrets and expired rate-limit counters, keeping live ones', async () => {
    const clock = createManualClock(new Date());
    const t = await createTestApp({
      clock,
      env: { RATE_LIMITS: 'email.ip=1000/3600,email.account.ip=1000/3600,email.account=1000/3600' },
    });
    const account = await registerAccount(t);
    await t.client().auth.requestPasswordReset.mutate({ email: account.email });
    await t.client().auth.requestLoginCode.mutate({ email: newEmail() });
    await t.drainJobs();
    // A verification link (24 h), a reset link (30 min) and a code (10 min) exist, and the
    // requests left rate-limit counters (1-hour windows).
    expect(await t.deps.db.selectFrom('one_time_secrets').select('id').execute()).toHaveLength(3);
    const counters = await t.deps.db.selectFrom('rate_limits').select('key').execute();
    expect(counters.length).toBeGreaterThan(0);

    // 11 minutes on: the 10-minute code has expired, the links have not.
    clock.advance(11 * 60 * 1000);
    await enqueueJob(t.deps.db, 'cleanup_auth_rows', {});
    await t.drainJobs();

    const left = await t.deps.db
      .selectFrom('one_time_secrets')
      .select('purpose')
      .orderBy('purpose')
      .execute();
    expect(left).toEqual([{ purpose: 'email_verification' }, { purpose: 'password_reset' }]);
    expect(await t.deps.db.selectFrom('rate_limits').select('key').execute()).toHaveLength(
      counters.length,
    );

    // A day and an hour on: everything has expired.
    clock.advance(25 * 60 * 60 * 1000);
    await enqueueJob(t.deps.db, 'cleanup_auth_rows', {});
    await t.drainJobs();

    expect(await t.deps.db.selectFrom('one_time_secrets').select('id').execute()).toEqual([]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from rate_limits`.execute(
      t.deps.db,
    );
    expect(rows[0]?.n).toBe(0);
  });
});
