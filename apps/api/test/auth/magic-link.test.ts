import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp } from '../harness';
import { failure, newEmail, registerAccount } from '../support/accounts';
import { startTestSmtp, tokenFromLink } from '../support/smtp';

async function setup() {
  const smtp = await startTestSmtp();
  const clock = createManualClock();
  const t = await createTestApp({
    clock,
    env: { SMTP_URL: smtp.url, APP_URL: 'https://app.test' },
  });
  const requestLink = async (email: string) => {
    await t.client().auth.requestMagicLink.mutate({ email });
    await t.drainJobs();
    const mail = smtp.latest(email);
    expect(mail.text).toContain('https://app.test/magic-link?token=');
    return tokenFromLink(mail);
  };
  return { clock, smtp, t, requestLink };
}

describe('login with a magic link', () => {
  it('signs in (creating the account for a new address), once', async () => {
    const { t, requestLink } = await setup();
    const email = newEmail('magic');
    const token = await requestLink(email);

    const result = await t.client().auth.loginWithMagicLink.mutate({ token });

    expect(result.user).toMatchObject({ email, emailVerified: true });
    expect((await failure(t.client().auth.loginWithMagicLink.mutate({ token }))).appCode).toBe(
      'INVALID_TOKEN',
    );
  });

  it('signs in an existing account', async () => {
    const { t, requestLink } = await setup();
    const account = await registerAccount(t);

    const result = await t
      .client()
      .auth.loginWithMagicLink.mutate({ token: await requestLink(account.email) });

    expect(result.user.id).toBe(account.user.id);
  });

  it('accepts a link until just before 10 minutes and says so in the mail', async () => {
    const { t, clock, smtp, requestLink } = await setup();
    const email = newEmail();
    const token = await requestLink(email);

    clock.advance(10 * 60 * 1000 - 1000);

    expect(smtp.latest(email).text).toContain('expires in 10 minutes');
    await t.client().auth.loginWithMagicLink.mutate({ token });
  });

  it('refuses a link older than 10 minutes (a sign-in, not a proof of registration)', async () => {
    const { t, clock, requestLink } = await setup();
    const token = await requestLink(newEmail());

    clock.advance(10 * 60 * 1000);

    expect((await failure(t.client().auth.loginWithMagicLink.mutate({ token }))).appCode).toBe(
      'TOKEN_EXPIRED',
    );
  });

  it('refuses a deactivated account', async () => {
    const { t, requestLink } = await setup();
    const account = await registerAccount(t);
    const token = await requestLink(account.email);
    await t
      .client({ accessToken: account.accessToken })
      .auth.deactivate.mutate({ password: account.password });

    expect((await failure(t.client().auth.loginWithMagicLink.mutate({ token }))).appCode).toBe(
      'ACCOUNT_DEACTIVATED',
    );
  });
});
