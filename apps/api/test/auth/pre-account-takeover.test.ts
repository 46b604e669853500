import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness';
import { failure, newEmail, registerAccount } from '../support/accounts';
import { startFakeGitHub } from '../support/fake-github';
import { signInThroughProvider } from '../support/oauth-browser';
import { codeFromMail, startTestSmtp, type TestSmtp, tokenFromLink } from '../support/smtp';

const ATTACKER_PASSWORD = 'attacker chose this passphrase';
const NOTICE_SUBJECT = 'A password was removed from your Tollbooth account';

async function setup(env: Record<string, string> = {}) {
  const smtp = await startTestSmtp();
  const t = await createTestApp({ env: { SMTP_URL: smtp.url, ...env } });
  return { smtp, t };
}

/** The attacker registers the victim's address with his password and never verifies it. */
async function preRegister(t: TestApp, victim: string) {
  const planted = await registerAccount(t, { email: victim, password: ATTACKER_PASSWORD });
  await t.drainJobs();
  return planted;
}

async function signInWithCode(t: TestApp, smtp: TestSmtp, email: string) {
  await t.client().auth.requestLoginCode.mutate({ email });
  await t.drainJobs();
  return t.client().auth.loginWithCode.mutate({ email, code: codeFromMail(smtp.latest(email)) });
}

async function signInWithMagicLink(t: TestApp, smtp: TestSmtp, email: string) {
  await t.client().auth.requestMagicLink.mutate({ email });
  await t.drainJobs();
  return t.client().auth.loginWithMagicLink.mutate({ token: tokenFromLink(smtp.latest(email)) });
}

/** What must hold once the victim proved the mailbox: nothing the attacker planted works. */
async function expectAttackerLockedOut(
  t: TestApp,
  smtp: TestSmtp,
  victim: string,
  planted: Awaited<ReturnType<typeof preRegister>>,
) {
  const login = await failure(
    t.client().auth.login.mutate({ email: victim, password: ATTACKER_PASSWORD }),
  );
  expect(login).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'INVALID_CREDENTIALS' });
  const refresh = await failure(
    t.client().auth.refresh.mutate({ refreshToken: planted.refreshToken }),
  );
  expect(refresh.code).toBe('UNAUTHORIZED');
  const me = await failure(
    t.client({ accessToken: planted.accessToken, batch: false }).auth.me.query(),
  );
  expect(me.code).toBe('UNAUTHORIZED');

  const row = await t.deps.db
    .selectFrom('users')
    .select(['password_hash', 'email_verified_at'])
    .where('id', '=', planted.user.id)
    .executeTakeFirstOrThrow();
  expect(row.password_hash).toBeNull();
  expect(row.email_verified_at).not.toBeNull();
  const audit = await t.deps.db
    .selectFrom('audit_log')
    .select(['user_id', 'metadata'])
    .where('event_type', '=', 'auth.unverified_password_removed')
    .execute();
  expect(audit).toEqual([
    { user_id: planted.user.id, metadata: expect.objectContaining({ revokedSessions: 1 }) },
  ]);

  await t.drainJobs();
  const notice = smtp.to(victim).find((mail) => mail.subject === NOTICE_SUBJECT);
  expect(notice?.text).toContain('before this address was confirmed');
  expect(notice?.html).toMatch(/^<!doctype html>/);
}

describe('pre-account takeover: a password set before the address was verified', () => {
  it('is removed, with every earlier session, when the owner signs in with a login code', async () => {
    const { smtp, t } = await setup();
    const victim = newEmail('victim');
    const planted = await preRegister(t, victim);

    const owner = await signInWithCode(t, smtp, victim);

    expect(owner.user).toMatchObject({ id: planted.user.id, emailVerified: true });
    await expectAttackerLockedOut(t, smtp, victim, planted);
    // The owner's own new session survives the clean-up.
    await t.client({ accessToken: owner.accessToken }).auth.me.query();
    await t.client().auth.refresh.mutate({ refreshToken: owner.refreshToken ?? '' });
  });

  it('is removed, with every earlier session, when the owner signs in with a magic link', async () => {
    const { smtp, t } = await setup();
    const victim = newEmail('victim');
    const planted = await preRegister(t, victim);

    const owner = await signInWithMagicLink(t, smtp, victim);

    expect(owner.user.id).toBe(planted.user.id);
    await expectAttackerLockedOut(t, smtp, victim, planted);
  });

  it('is removed, with every earlier session, when the owner signs in with a provider-verified OAuth email', async () => {
    const github = await startFakeGitHub();
    const { smtp, t } = await setup({
      ...github.env,
    });
    const victim = newEmail('victim');
    const planted = await preRegister(t, victim);
    github.setAccount({
      id: 9009,
      name: null,
      emails: [{ email: victim, primary: true, verified: true }],
    });

    await signInThroughProvider(t, 'github');

    await expectAttackerLockedOut(t, smtp, victim, planted);
  });

  it('is kept when the address was verified first: the password is then the owner’s own', async () => {
    const { smtp, t } = await setup();
    const account = await registerAccount(t);
    await t.drainJobs();
    await t.client().auth.verifyEmail.mutate({ token: tokenFromLink(smtp.latest(account.email)) });

    await signInWithCode(t, smtp, account.email);

    await t.client().auth.login.mutate({ email: account.email, password: account.password });
    await t.client().auth.refresh.mutate({ refreshToken: account.refreshToken });
    await t.drainJobs();
    expect(smtp.to(account.email).map((mail) => mail.subject)).not.toContain(NOTICE_SUBJECT);
  });
});
