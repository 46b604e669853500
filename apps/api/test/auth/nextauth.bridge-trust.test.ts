import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp, readTrpcError, type TestApp } from '../harness';
import { failure, newEmail, registerAccount } from '../support/accounts';
import { startFakeGitHub } from '../support/fake-github';
import { readTrpcBody } from '../support/http';
import { encodeV4, encodeV5 } from '../support/nextauth-mint';
import { signInThroughProvider } from '../support/oauth-browser';
import { startTestSmtp, tokenFromLink } from '../support/smtp';

const SECRET = randomBytes(32).toString('base64');

async function setup(env: Record<string, string> = {}) {
  const smtp = await startTestSmtp();
  // NextAuth stamps tokens with the real time; the app's clock starts there.
  const clock = createManualClock(new Date());
  const t = await createTestApp({
    clock,
    env: { NEXTAUTH_SECRET: SECRET, SMTP_URL: smtp.url, ...env },
  });
  return { smtp, t };
}

/** A session token as Auth.js v5 mints it; `verified` sets the `email_verified` claim. */
const mint = (email: string, verified?: boolean) =>
  encodeV5({
    token: {
      email,
      sub: 'authjs-sub',
      ...(verified !== undefined && { email_verified: verified }),
    },
    secret: SECRET,
    salt: 'authjs.session-token',
  });

async function me(t: TestApp, token: string) {
  const response = await t.fetch('http://tollbooth.test/trpc/auth.me', {
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status !== 200) {
    return { status: response.status, appCode: (await readTrpcError(response)).error.data.appCode };
  }
  return { status: 200, user: (await readTrpcBody(response)).result?.data };
}

async function auditRows(t: TestApp, event: string) {
  return t.deps.db
    .selectFrom('audit_log')
    .select(['user_id', 'metadata'])
    .where('event_type', '=', event)
    .execute();
}

async function githubAccount(t: TestApp, github: Awaited<ReturnType<typeof startFakeGitHub>>) {
  const email = newEmail('linked');
  github.setAccount({ id: 5150, name: null, emails: [{ email, primary: true, verified: true }] });
  await signInThroughProvider(t, 'github');
  return email;
}

describe('the NextAuth bridge does not take over accounts on an unproven email', () => {
  it('refuses a password account to a token that does not say the email is verified', async () => {
    const { t } = await setup();
    const account = await registerAccount(t);

    for (const token of [await mint(account.email), await mint(account.email, false)]) {
      expect(await me(t, token)).toEqual({ status: 401, appCode: 'NEXTAUTH_EMAIL_UNVERIFIED' });
    }
    // The owner's password and sessions are untouched.
    await t.client().auth.login.mutate({ email: account.email, password: account.password });
    await t.client().auth.refresh.mutate({ refreshToken: account.refreshToken });
  });

  it('refuses an account linked to an OAuth provider to such a token', async () => {
    const github = await startFakeGitHub();
    const { t } = await setup({
      ...github.env,
    });
    const email = await githubAccount(t, github);

    expect(await me(t, await mint(email))).toEqual({
      status: 401,
      appCode: 'NEXTAUTH_EMAIL_UNVERIFIED',
    });
    expect((await me(t, await mint(email, true))).status).toBe(200);
  });

  it('maps a token with email_verified: true to the existing verified password account', async () => {
    const { smtp, t } = await setup();
    const account = await registerAccount(t);
    await t.drainJobs();
    await t.client().auth.verifyEmail.mutate({ token: tokenFromLink(smtp.latest(account.email)) });

    const result = await me(t, await mint(account.email.toUpperCase(), true));

    expect(result.user?.id).toBe(account.user.id);
    // A verified account's password is its owner's: it stays.
    await t.client().auth.login.mutate({ email: account.email, password: account.password });
  });

  it('takes over an unverified password account on a verified token as any mailbox proof does', async () => {
    const { smtp, t } = await setup();
    const planted = await registerAccount(t);

    const result = await me(t, await mint(planted.email, true));

    expect(result.user).toMatchObject({ id: planted.user.id, emailVerified: true });
    const refresh = await failure(
      t.client().auth.refresh.mutate({ refreshToken: planted.refreshToken }),
    );
    expect(refresh.code).toBe('UNAUTHORIZED');
    const login = await failure(
      t.client().auth.login.mutate({ email: planted.email, password: planted.password }),
    );
    expect(login.appCode).toBe('INVALID_CREDENTIALS');
    expect(await auditRows(t, 'auth.unverified_password_removed')).toHaveLength(1);
    await t.drainJobs();
    expect(smtp.to(planted.email).map((mail) => mail.subject)).toContain(
      'A password was removed from your Tollbooth account',
    );
  });

  it('trusts every token when NEXTAUTH_TRUST_EMAIL=true', async () => {
    const { t } = await setup({ NEXTAUTH_TRUST_EMAIL: 'true' });
    const account = await registerAccount(t);

    expect(
      (await me(t, await encodeV4({ token: { email: account.email }, secret: SECRET }))).user?.id,
    ).toBe(account.user.id);
  });

  it('serves an untrusted token for an account without password or OAuth link', async () => {
    const { t } = await setup();
    const email = newEmail('bridged');
    const first = await me(t, await mint(email));

    const second = await me(t, await mint(email));

    expect(second.user?.id).toBe(first.user?.id);
  });
});

describe('accounts created through the NextAuth bridge', () => {
  it('are created on first sight, audited, and verified only when the token says so', async () => {
    const { t } = await setup();
    const unproven = newEmail('unproven');
    const proven = newEmail('proven');

    const a = await me(t, await mint(unproven));
    const b = await me(t, await mint(proven, true));

    expect(a.user).toMatchObject({ email: unproven, emailVerified: false, role: 'user' });
    expect(b.user).toMatchObject({ email: proven, emailVerified: true, role: 'user' });
    expect(await auditRows(t, 'auth.nextauth_account_created')).toEqual([
      { user_id: a.user?.id, metadata: { emailVerified: false } },
      { user_id: b.user?.id, metadata: { emailVerified: true } },
    ]);
  });

  it('never become admins through ADMIN_EMAILS, not even on a verified token', async () => {
    const boss = newEmail('boss');
    const listed = newEmail('listed');
    const { t } = await setup({ ADMIN_EMAILS: `${boss},${listed}`, NEXTAUTH_TRUST_EMAIL: 'true' });
    const existing = await registerAccount(t, { email: listed });

    const created = await me(t, await mint(boss, true));
    const found = await me(t, await mint(listed, true));

    expect(created.user?.role).toBe('user');
    expect(found.user).toMatchObject({ id: existing.user.id, role: 'user' });
    expect(await auditRows(t, 'auth.admin_promoted')).toEqual([]);
  });
});

describe('bridged callers are resolved once per token', () => {
  it('reads the account by id on later requests instead of finding or creating by email', async () => {
    const { t } = await setup();
    const email = newEmail('cached');
    const token = await mint(email);
    const first = await me(t, token);
    // Were the second request a find-or-create by the token's email, it would now create a
    // second account: the address it looks for no longer has one.
    await t.deps.db
      .updateTable('users')
      .set({ email: newEmail('renamed') })
      .where('id', '=', String(first.user?.id))
      .execute();

    const second = await me(t, token);

    expect(second.user?.id).toBe(first.user?.id);
    const byEmail = await t.deps.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .execute();
    expect(byEmail).toEqual([]);
    expect(await auditRows(t, 'auth.nextauth_account_created')).toHaveLength(1);
  });

  it('still refuses a cached token at once when the account is deactivated', async () => {
    const { t } = await setup();
    const token = await mint(newEmail('leaver'));
    const first = await me(t, token);

    await t.deps.db
      .updateTable('users')
      .set({ status: 'deactivated', deactivated_at: new Date() })
      .where('id', '=', String(first.user?.id))
      .execute();

    expect((await me(t, token)).status).toBe(401);
  });
});
