import { describe, expect, it } from 'vitest';
import { createTestApp, readErrorEnvelope } from '../harness';
import { failure, newEmail, registerAccount } from '../support/accounts';
import { GITHUB_CLIENT, startFakeGitHub } from '../support/fake-github';
import {
  challengeOf,
  codeFrom,
  consent,
  deliverCallback,
  signInThroughProvider,
  startFlow,
} from '../support/oauth-browser';
import { startTestSmtp } from '../support/smtp';

const APP_URL = 'https://app.example.com';

async function setup() {
  const github = await startFakeGitHub();
  const smtp = await startTestSmtp();
  const t = await createTestApp({
    env: {
      APP_URL,
      SMTP_URL: smtp.url,
      ...github.env,
    },
  });
  return { github, smtp, t };
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

    const { location, verifier } = await signInThroughProvider(t, 'github', {
      redirectTo: `${APP_URL}/welcome`,
    });

    expect(location?.startsWith(`${APP_URL}/welcome?code=`)).toBe(true);
    expect(location).not.toMatch(/accessToken|refreshToken|eyJ/);
    const code = codeFrom(location);
    const session = await t.client().auth.exchangeOAuthCode.mutate({ code, verifier });
    expect(session.user).toMatchObject({ email, name: 'Octo Cat', emailVerified: true });
    expect(
      (await failure(t.client().auth.exchangeOAuthCode.mutate({ code, verifier }))).appCode,
    ).toBe('INVALID_TOKEN');
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
      .auth.exchangeOAuthCode.mutate({ code: codeFrom(first.location), verifier: first.verifier });
    expect(linked.user.id).toBe(account.user.id);

    // The GitHub account's email changes later: the link by id still holds.
    github.setAccount({
      id: 2002,
      name: null,
      emails: [{ email: newEmail(), primary: true, verified: true }],
    });
    const again = await signInThroughProvider(t, 'github');
    expect(
      (
        await t.client().auth.exchangeOAuthCode.mutate({
          code: codeFrom(again.location),
          verifier: again.verifier,
        })
      ).user.id,
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

  it('sends GitHub an S256 PKCE challenge of a fresh verifier per flow', async () => {
    const { t } = await setup();

    const first = await startFlow(t, 'github');
    const second = await startFlow(t, 'github');

    const challenges = [first, second].map(({ start }) => {
      const authorize = new URL(start.headers.get('location') ?? '');
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      return authorize.searchParams.get('code_challenge');
    });
    expect(challenges[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenges[1]).not.toBe(challenges[0]);
    // The provider leg has its own verifier, not the app's.
    expect(challenges[0]).not.toBe(challengeOf(first.verifier ?? ''));
  });

  it('refuses an authorization code injected from another flow (PKCE): GitHub rejects the verifier', async () => {
    const { github, t } = await setup();
    github.setAccount({
      id: 4004,
      name: null,
      emails: [{ email: newEmail('injected'), primary: true, verified: true }],
    });
    // The attacker's own flow yields a GitHub code for his account...
    const attacker = await consent((await startFlow(t, 'github')).start);
    // ...which he injects into the victim's callback, whose state and cookie are genuine.
    const victim = await startFlow(t, 'github', { redirectTo: APP_URL });
    const callback = await consent(victim.start);
    callback.searchParams.set('code', attacker.searchParams.get('code') ?? '');

    const final = await deliverCallback(t, callback, { headers: { cookie: victim.cookie } });

    expect(new URL(final.headers.get('location') ?? '').searchParams.get('error')).toBe(
      'oauth_failed',
    );
    expect(github.tokenRequests.at(-1)).toEqual({ ok: false, reason: 'code_verifier mismatch' });
    expect(await t.deps.db.selectFrom('users').select('id').execute()).toEqual([]);
  });

  it('the GitHub stand-in refuses a token request without the verifier of its challenge', async () => {
    const { github, t } = await setup();
    const callback = await consent((await startFlow(t, 'github')).start);
    const tokenRequest = (extra: Record<string, string>) =>
      fetch(`${github.url}/login/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          client_id: GITHUB_CLIENT.id,
          client_secret: GITHUB_CLIENT.secret,
          code: callback.searchParams.get('code'),
          ...extra,
        }),
      }).then((response) => response.json());

    expect(await tokenRequest({})).toMatchObject({ error: 'bad_verification_code' });
    expect(github.tokenRequests.at(-1)).toEqual({ ok: false, reason: 'code_verifier mismatch' });
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
