import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { failure, newEmail, registerAccount } from '../support/accounts';
import { startTestSmtp, tokenFromLink } from '../support/smtp';

const REFUSED = ['is one of the most common passwords; choose another'];

/** Entries of the bundled top-10,000 list that pass every other rule (8+ characters). */
const COMMON = ['password1', 'PassWord1', '12345678', 'qwertyuiop', 'iloveyou'];

describe('the common-password check', () => {
  it.each(COMMON)('auth.register refuses %s and creates no account', async (password) => {
    const t = await createTestApp();
    const email = newEmail();

    const error = await failure(t.client().auth.register.mutate({ email, password }));

    expect(error).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(error.data.fieldErrors).toEqual({ password: REFUSED });
    const users = await t.deps.db.selectFrom('users').select('id').execute();
    expect(users).toHaveLength(0);
  });

  it('auth.register accepts a password that is not on the list', async () => {
    const t = await createTestApp();

    await registerAccount(t, { password: 'violet ferry at dawn 7' });
  });

  it('auth.changePassword refuses a common new password and keeps the old one', async () => {
    const t = await createTestApp();
    const account = await registerAccount(t);

    const error = await failure(
      t.client({ accessToken: account.accessToken }).auth.changePassword.mutate({
        currentPassword: account.password,
        newPassword: 'Football1',
      }),
    );

    expect(error).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(error.data.fieldErrors).toEqual({ newPassword: REFUSED });
    await t.client().auth.login.mutate({ email: account.email, password: account.password });
  });

  it('auth.resetPassword refuses a common new password and leaves the link usable', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    const account = await registerAccount(t);
    await t.client().auth.requestPasswordReset.mutate({ email: account.email });
    await t.drainJobs();
    const mail = smtp.to(account.email).find((m) => m.subject.startsWith('Reset'));
    if (!mail) throw new Error('no reset mail');
    const token = tokenFromLink(mail);

    const error = await failure(
      t.client().auth.resetPassword.mutate({ token, newPassword: 'letmein1' }),
    );

    expect(error).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(error.data.fieldErrors).toEqual({ newPassword: REFUSED });
    await t.client().auth.resetPassword.mutate({ token, newPassword: 'a far rarer passphrase' });
    await t
      .client()
      .auth.login.mutate({ email: account.email, password: 'a far rarer passphrase' });
  });
});
