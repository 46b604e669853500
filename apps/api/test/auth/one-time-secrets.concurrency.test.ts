import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { failure, newEmail, PASSWORD, registerAccount } from '../support/accounts';
import { codeFromMail, startTestSmtp, tokenFromLink } from '../support/smtp';

async function setup() {
  const smtp = await startTestSmtp();
  const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
  return { smtp, t };
}

function settled<T>(promises: Array<Promise<T>>) {
  return Promise.allSettled(promises).then((results) => ({
    ok: results.filter((r) => r.status === 'fulfilled').length,
    failed: results.filter((r) => r.status === 'rejected').length,
  }));
}

describe('one-time secrets under concurrency', () => {
  it('counts parallel wrong guesses one by one: the code dies at 5, however many race', async () => {
    const { smtp, t } = await setup();
    const email = newEmail();
    await t.client().auth.requestLoginCode.mutate({ email });
    await t.drainJobs();
    const code = codeFromMail(smtp.latest(email));
    const wrong = (n: number) => String((Number(code) + n) % 1_000_000).padStart(6, '0');

    await settled(
      Array.from({ length: 12 }, (_, i) =>
        t.client({ batch: false }).auth.loginWithCode.mutate({ email, code: wrong(i + 1) }),
      ),
    );

    const row = await t.deps.db
      .selectFrom('one_time_secrets')
      .select(['attempts', 'consumed_at'])
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(5);
    expect(row.consumed_at).not.toBeNull();
    expect((await failure(t.client().auth.loginWithCode.mutate({ email, code }))).appCode).toBe(
      'INVALID_CODE',
    );
  });

  it('lets exactly one of several parallel uses of the right code sign in', async () => {
    const { smtp, t } = await setup();
    const email = newEmail();
    await t.client().auth.requestLoginCode.mutate({ email });
    await t.drainJobs();
    const code = codeFromMail(smtp.latest(email));

    const outcome = await settled(
      Array.from({ length: 5 }, () =>
        t.client({ batch: false }).auth.loginWithCode.mutate({ email, code }),
      ),
    );

    expect(outcome).toEqual({ ok: 1, failed: 4 });
    const users = await t.deps.db.selectFrom('users').select('id').execute();
    expect(users).toHaveLength(1);
  });

  it('lets exactly one of several parallel uses of a magic link sign in', async () => {
    const { smtp, t } = await setup();
    const email = newEmail();
    await t.client().auth.requestMagicLink.mutate({ email });
    await t.drainJobs();
    const token = tokenFromLink(smtp.latest(email));

    const outcome = await settled(
      Array.from({ length: 5 }, () =>
        t.client({ batch: false }).auth.loginWithMagicLink.mutate({ token }),
      ),
    );

    expect(outcome).toEqual({ ok: 1, failed: 4 });
  });

  it('lets exactly one of several parallel uses of a password-reset link set the password', async () => {
    const { smtp, t } = await setup();
    const account = await registerAccount(t);
    await t.client().auth.requestPasswordReset.mutate({ email: account.email });
    await t.drainJobs();
    const token = tokenFromLink(smtp.latest(account.email));

    const outcome = await settled(
      Array.from({ length: 5 }, (_, i) =>
        t
          .client({ batch: false })
          .auth.resetPassword.mutate({ token, newPassword: `${PASSWORD} ${i}` }),
      ),
    );

    expect(outcome).toEqual({ ok: 1, failed: 4 });
    const secret = await t.deps.db
      .selectFrom('one_time_secrets')
      .select('consumed_at')
      .where('purpose', '=', 'password_reset')
      .executeTakeFirstOrThrow();
    expect(secret.consumed_at).not.toBeNull();
  });
});
