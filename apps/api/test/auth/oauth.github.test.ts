import { describe, expect, it } from 'vitest';
import { createTestApp, readErrorEnvelope } from '../harness';
import { failure, newEmail, registerAccount } from '../support/accounts';
import { GITHUB_CLIENT, startFakeGitHub } from '../support/fake-github';
import { signInThroughProvider } from '../support/oauth-browser';
import { startTestSmtp } from '../support/smtp';

const APP_URL = 'https://app.example.com';

async function setup() {
  const github = await startFakeGitHub();
  const smtp = await startTestSmtp();
  const t = await createTestApp({
    env: {
      APP_URL,
      SMTP_URL: smtp.url,
      GITHUB_CLIENT_ID: GITHUB_CLIENT.id,
      GITHUB_CLIENT_SECRET: GITHUB_CLIENT.secret,
      GITHUB_OAUTH_URL: github.url,
      GITHUB_API_URL: github.url,
    },
  });
  return { github, smtp, t };
}

function codeFrom(location: string | null | undefined): string {
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`no code in ${location}`);
  return code;
}

describe('sign-in with GitHub', () => {
  it('creates an account from the primary verified email, redirects with a one-time code, and the code buys tokens once', async () => {
    const { github, smtp, t } = await setup();
    const email = newEmail('octo');
    github.setAccount({
      id: 1001,
      name: 'Octo Cat',
      emails: [
        { email: newEmail('unverified'), primary: false, verified: false },
        { email, primary: true, verified: true },
      ],
    });

    const { location } = await signInThroughProvider(t, 'github', {
      redirectTo: `${APP_URL}/welcome`,
    });

    expect(location?.startsWith(`${APP_URL}/welcome?code=`)).toBe(true);
    expect(location).not.toMatch(/accessToken|refreshToken|eyJ/);
    const code = codeFrom(location);
    const session = await t.client().auth.exchangeOAuthCode.mutate({ code });
    expect(session.user).toMatchObject({ email, name: 'Octo Cat', emailVerified: true });
    expect((await failure(t.client().auth.exchangeOAuthCode.mutate({ code }))).appCode).toBe(
      'INVALID_TOKEN',
    );
    await t.drainJobs();
    expect(smtp.latest(email).subject).toBe('Welcome to Tollbooth');
  });

  it('links to an existing account with the same verified email, and finds it by GitHub id afterwards', async () => {
    const { github, t } = await setup();
    const account = await registerAccount(t);
    github.setAccount({
      id: 2002,
      name: null,
      emails: [{ email: account.email, primary: true, verified: true }],
    });

    const first = await signInThroughProvider(t, 'github');
    const linked = await t
      .client()
      .auth.exchangeOAuthCode.mutate({ code: codeFrom(first.location) });
    expect(linked.user.id).toBe(account.user.id);

    // The GitHub account's email changes later: the link by id still holds.
    github.setAccount({
      id: 2002,
      name: null,
      emails: [{ email: newEmail(), primary: true, verified: true }],
    });
    const again = await signInThroughProvider(t, 'github');
    expect(
      (await t.client().auth.exchangeOAuthCode.mutate({ code: codeFrom(again.location) })).user.id,
    ).toBe(account.user.id);
    const audit = await t.deps.db.selectFrom('audit_log').select('event_type').execute();
    expect(audit.map((row) => row.event_type)).toContain('auth.oauth_linked');
  });

  it('refuses an account whose GitHub email is not verified (no takeover by claimed email)', async () => {
    const { github, t } = await setup();
    const victim = await registerAccount(t);
    github.setAccount({
      id: 3003,
      name: null,
      emails: [{ email: victim.email, primary: true, verified: false }],
    });

    const { location } = await signInThroughProvider(t, 'github', { redirectTo: APP_URL });

    expect(new URL(location ?? '').searchParams.get('error')).toBe('oauth_failed');
    expect(location).not.toContain('code=');
  });

  it('refuses a callback whose state does not match the cookie (CSRF)', async () => {
    const { t } = await setup();

    const { final } = await signInThroughProvider(t, 'github', {
      tamper: (callback) => callback.searchParams.set('state', 'attacker-state'),
    });

    if (!final) throw new Error('the flow stopped before the callback');
    expect(final.status).toBe(400);
    expect((await readErrorEnvelope(final)).error.appCode).toBe('OAUTH_STATE_MISMATCH');
  });

  it('refuses a callback without the state cookie (started in another browser)', async () => {
    const { t } = await setup();

    const { final } = await signInThroughProvider(t, 'github', { cookie: () => '' });

    expect(final?.status).toBe(400);
  });

  it('refuses a forged state cookie', async () => {
    const { t } = await setup();

    const { final } = await signInThroughProvider(t, 'github', {
      cookie: (value) => `${value.slice(0, -6)}AAAAAA`,
    });

    expect(final?.status).toBe(400);
  });

  it.each([
    'https://evil.example/steal',
    'https://app.example.com.evil.example/',
    'https://app.example.com@evil.example/',
    '//evil.example',
    'javascript:alert(document.cookie)',
    'not a url',
  ])('refuses redirect_to=%s (open redirect)', async (redirectTo) => {
    const { t } = await setup();

    const { start } = await signInThroughProvider(t, 'github', { redirectTo });

    expect(start.status).toBe(400);
    expect((await readErrorEnvelope(start)).error.appCode).toBe('REDIRECT_NOT_ALLOWED');
  });

  it('answers 404 for a provider that is not configured', async () => {
    const t = await createTestApp();

    const response = await t.fetch('http://tollbooth.test/auth/oauth/github/start');

    expect(response.status).toBe(404);
    expect((await readErrorEnvelope(response)).error.appCode).toBe('OAUTH_PROVIDER_DISABLED');
  });
});
