import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { startTestSmtp } from '../support/smtp';
import { createKey, domainEvents, grant, keyClient, signInAdmin } from './credits-testing';

async function lowBalanceSetup(env: Record<string, string> = {}) {
  const smtp = await startTestSmtp();
  const t = await createTestApp({ env: { SMTP_URL: smtp.url, ...env } });
  const { client: admin } = await signInAdmin(t);
  const holder = await t.deps.db
    .insertInto('users')
    .values({ email: `low-${crypto.randomUUID().slice(0, 8)}@example.test` })
    .returning(['id', 'email'])
    .executeTakeFirstOrThrow();
  const client = keyClient(t, (await createKey(admin)).key);
  let n = 0;
  const debit = (amount: number) =>
    client.credits.debit.mutate({
      userId: holder.id,
      amount,
      idempotencyKey: `low-${holder.id}-${n++}`,
    });
  return { t, smtp, admin, holder, debit };
}

describe('low balance (CREDITS_LOW_THRESHOLD, default 100)', () => {
  it('writes one credits.low event and sends one mail when debits cross the threshold, not one per debit', async () => {
    const { t, smtp, admin, holder, debit } = await lowBalanceSetup();
    await grant(admin, holder.id, 150);

    await debit(40); // 110: above
    await debit(20); // 90: crosses
    await debit(10); // 80: already below
    await debit(5); // 75
    await t.drainJobs();

    expect(await domainEvents(t, 'credits.low', holder.id)).toEqual([
      {
        type: 'credits.low',
        payload: { userId: holder.id, balance: 90, threshold: 100, entryId: expect.any(String) },
      },
    ]);
    const mails = smtp.to(holder.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain('90 credits left');
    expect(mails[0]?.text).toContain('below 100 credits');
    expect(mails[0]?.text).toContain('http://localhost:3001/billing');
  });

  it('warns again after a grant lifts the balance above the threshold and a debit crosses it anew', async () => {
    const { t, smtp, admin, holder, debit } = await lowBalanceSetup();
    await grant(admin, holder.id, 120);

    await debit(30); // 90: first crossing
    await debit(10); // 80
    await grant(admin, holder.id, 50); // 130: above again
    await debit(20); // 110
    await debit(15); // 95: second crossing
    await t.drainJobs();

    const events = await domainEvents(t, 'credits.low', holder.id);
    expect(events.map((event) => event.payload)).toMatchObject([{ balance: 90 }, { balance: 95 }]);
    expect(smtp.to(holder.email)).toHaveLength(2);
  });

  it('counts a debit that starts exactly at the threshold as crossing, and honours a configured threshold', async () => {
    const { t, admin, holder, debit } = await lowBalanceSetup({ CREDITS_LOW_THRESHOLD: '10' });
    await grant(admin, holder.id, 10);

    await debit(1); // 10 -> 9
    await debit(9); // 0

    const events = await domainEvents(t, 'credits.low', holder.id);
    expect(events.map((event) => event.payload)).toMatchObject([{ balance: 9, threshold: 10 }]);
  });

  it('sends nothing with CREDITS_LOW_THRESHOLD=0', async () => {
    const { t, admin, holder, debit } = await lowBalanceSetup({ CREDITS_LOW_THRESHOLD: '0' });
    await grant(admin, holder.id, 5);

    await debit(5);

    expect(await domainEvents(t, 'credits.low', holder.id)).toEqual([]);
  });
});
