import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness';
import { newEmail, registerAccount } from '../support/accounts';
import { startFakeGitHub } from '../support/fake-github';
import { signInThroughProvider } from '../support/oauth-browser';
import { codeFromMail, startTestSmtp, type TestSmtp, tokenFromLink } from '../support/smtp';

const NEW_PASSWORD = 'a brand new passphrase 42';

async function promotions(t: TestApp) {
  return t.deps.db
    .selectFrom('audit_log')
    .select(['user_id', 'metadata'])
    .where('event_type', '=', 'auth.admin_promoted')
    .execute();
}

async function roleOf(t: TestApp, email: string) {
  const row = await t.deps.db
    .selectFrom('users')
    .select('role')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.role;
}

async function setup(adminEmail: string) {
  const smtp = await startTestSmtp();
  const t = await createTestApp({ env: { ADMIN_EMAILS: adminEmail, SMTP_URL: smtp.url } });
  return { smtp, t };
}

/** Each way of proving the mailbox, run against an address that was registered with a password. */
const proofs: Array<[string, (t: TestApp, smtp: TestSmtp, email: string) => Promise<unknown>]> = [
  [
    'login_code',
    async (t, smtp, email) => {
      await t.client().auth.requestLoginCode.mutate({ email });
      await t.drainJobs();
      await t.client().auth.loginWithCode.mutate({ email, code: codeFromMail(smtp.latest(email)) });
    },
  ],
  [
    'magic_link',
    async (t, smtp, email) => {
      await t.client().auth.requestMagicLink.mutate({ email });
      await t.drainJobs();
      await t.client().auth.loginWithMagicLink.mutate({ token: tokenFromLink(smtp.latest(email)) });
    },
  ],
  [
    'password_reset',
    async (t, smtp, email) => {
      await t.client().auth.requestPasswordReset.mutate({ email });
      await t.drainJobs();
      await t.client().auth.resetPassword.mutate({
        token: tokenFromLink(smtp.latest(email)),
        newPassword: NEW_PASSWORD,
      });
    },
  ],
];

describe('ADMIN_EMAILS promotes only a proven mailbox', () => {
  it('does not promote an unverified listed account that signs in with its password', async () => {
    const boss = newEmail('boss');
    const { t } = await setup(boss);
    const account = await registerAccount(t, { email: boss });

    const login = await t.client().auth.login.mutate({ email: boss, password: account.password });

    expect(login.user.role).toBe('user');
    expect(await promotions(t)).toEqual([]);
  });

  it.each(proofs)(
    'promotes a listed account once %s proves its mailbox, and audits how',
    async (via, prove) => {
      const boss = newEmail('boss');
      const { smtp, t } = await setup(boss);
      const account = await registerAccount(t, { email: boss });
      await t.drainJobs();

      await prove(t, smtp, boss);

      expect(await roleOf(t, boss)).toBe('admin');
      expect(await promotions(t)).toEqual([{ user_id: account.user.id, metadata: { via } }]);
    },
  );

  it('promotes a new account created by a login code for a listed address', async () => {
    const boss = newEmail('boss');
    const { smtp, t } = await setup(boss);
    await t.client().auth.requestLoginCode.mutate({ email: boss });
    await t.drainJobs();

    const result = await t
      .client()
      .auth.loginWithCode.mutate({ email: boss, code: codeFromMail(smtp.latest(boss)) });

    expect(result.user.role).toBe('admin');
    expect(await promotions(t)).toEqual([
      { user_id: result.user.id, metadata: { via: 'login_code' } },
    ]);
  });

  it('promotes an account created through OAuth with a provider-verified listed email', async () => {
    const boss = newEmail('boss');
    const github = await startFakeGitHub();
    const t = await createTestApp({
      env: {
        ADMIN_EMAILS: boss,
        ...github.env,
      },
    });
    github.setAccount({
      id: 7,
      name: null,
      emails: [{ email: boss, primary: true, verified: true }],
    });

    await signInThroughProvider(t, 'github');

    expect(await roleOf(t, boss)).toBe('admin');
    expect((await promotions(t)).map((row) => row.metadata)).toEqual([{ via: 'oauth' }]);
  });

  it('promotes an already-verified account at its next sign-in once its address is added to ADMIN_EMAILS', async () => {
    const databaseUrl = await createTestDatabase();
    const smtp = await startTestSmtp();
    const before = await createTestApp({ databaseUrl, env: { SMTP_URL: smtp.url } });
    const account = await registerAccount(before);
    await before.drainJobs();
    await before
      .client()
      .auth.verifyEmail.mutate({ token: tokenFromLink(smtp.latest(account.email)) });
    expect(await promotions(before)).toEqual([]);

    const after = await createTestApp({ databaseUrl, env: { ADMIN_EMAILS: account.email } });
    const login = await after
      .client()
      .auth.login.mutate({ email: account.email, password: account.password });

    expect(login.user.role).toBe('admin');
    expect(await promotions(after)).toEqual([
      { user_id: account.user.id, metadata: { via: 'login' } },
    ]);
  });
});
