import { createTestApp } from '@tollbooth/api/testing';
import { codeFromMail, startTestSmtp, tokenFromLink } from '@tollbooth/api/testing/smtp';
import { describe, expect, it } from 'vitest';
import { createTollboothClient, isTollboothError, memoryTokenStore } from '../src/index';

const PASSWORD = 'journey passphrase 1';
const GRACE_MS = 10_000;

/**
 * The account flows of issue 3, end to end through the SDK against the in-process app, the
 * real database and a real SMTP server.
 */
describe('an account through the SDK', () => {
  it('register → verify → login → me → refresh rotation → reuse revokes the family → logout', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    const store = memoryTokenStore();
    const sdk = createTollboothClient({
      url: 'http://tollbooth.test',
      fetch: t.fetch,
      tokenStore: store,
    });
    const email = `journey-${Date.now()}@example.test`;

    await sdk.auth.register.mutate({ email, password: PASSWORD });
    await t.drainJobs();
    await sdk.auth.verifyEmail.mutate({ token: tokenFromLink(smtp.latest(email)) });
    await sdk.auth.login.mutate({ email, password: PASSWORD });
    expect(await sdk.auth.me.query()).toMatchObject({ email, emailVerified: true });

    // Rotation: the SDK refreshes and stores the new pair.
    const before = await store.get();
    await sdk.auth.refresh.mutate({ refreshToken: before?.refreshToken ?? '' });
    const after = await store.get();
    expect(after?.refreshToken).not.toBe(before?.refreshToken);

    // Within the grace window, the rotated token still refreshes (two tabs)...
    const tab = createTollboothClient({ url: 'http://tollbooth.test', fetch: t.fetch });
    await tab.auth.refresh.mutate({ refreshToken: before?.refreshToken ?? '' });
    // ...outside it, reuse revokes the whole family, this client's tokens included.
    t.clock.advance(GRACE_MS + 1);
    const reuse = await tab.auth.refresh
      .mutate({ refreshToken: before?.refreshToken ?? '' })
      .catch((error: unknown) => error);
    expect(isTollboothError(reuse, 'REFRESH_TOKEN_REUSED')).toBe(true);
    const revoked = await sdk.auth.me.query().catch((error: unknown) => error);
    expect(isTollboothError(revoked, 'UNAUTHENTICATED')).toBe(true);
    expect(await store.get()).toBeNull();

    // A new login, then logout.
    await sdk.auth.login.mutate({ email, password: PASSWORD });
    await sdk.auth.logout.mutate();
    expect(await store.get()).toBeNull();
  });

  it('password reset signs out other sessions; a login code signs in', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    const email = `reset-${Date.now()}@example.test`;
    const laptop = createTollboothClient({ url: 'http://tollbooth.test', fetch: t.fetch });
    const phone = createTollboothClient({ url: 'http://tollbooth.test', fetch: t.fetch });
    await laptop.auth.register.mutate({ email, password: PASSWORD });
    await phone.auth.login.mutate({ email, password: PASSWORD });

    await phone.auth.requestPasswordReset.mutate({ email });
    await t.drainJobs();
    const resetMail = smtp.to(email).find((mail) => mail.subject.startsWith('Reset'));
    await phone.auth.resetPassword.mutate({
      token: tokenFromLink(resetMail ?? smtp.latest(email)),
      newPassword: 'a new journey passphrase',
    });

    const signedOut = await laptop.auth.me.query().catch((error: unknown) => error);
    expect(isTollboothError(signedOut, 'UNAUTHENTICATED')).toBe(true);

    await laptop.auth.requestLoginCode.mutate({ email });
    await t.drainJobs();
    await laptop.auth.loginWithCode.mutate({ email, code: codeFromMail(smtp.latest(email)) });
    expect(await laptop.auth.me.query()).toMatchObject({ email });
  });
});
