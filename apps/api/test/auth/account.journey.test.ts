import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { failure, newEmail, PASSWORD, signedIn } from '../support/accounts';
import { startTestSmtp, tokenFromLink } from '../support/smtp';

describe('an account from registration to logout', () => {
  it('registers, verifies its email, logs in, rotates its refresh token and logs out', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url, APP_URL: 'https://app.test' } });
    const email = newEmail('journey');

    const registered = signedIn(
      await t.client().auth.register.mutate({ email, password: PASSWORD, name: 'Ada' }),
    );
    expect(registered.user).toMatchObject({ email, name: 'Ada', emailVerified: false });

    await t.drainJobs();
    const mail = smtp.latest(email);
    expect(mail.subject).toMatch(/confirm/i);
    expect(mail.text).toContain('https://app.test/verify-email?token=');
    expect(mail.html).toContain('https://app.test/verify-email?token=');
    await t.client().auth.verifyEmail.mutate({ token: tokenFromLink(mail) });

    const session = await t.client().auth.login.mutate({ email, password: PASSWORD });
    const me = await t.client({ accessToken: session.accessToken }).auth.me.query();
    expect(me).toMatchObject({ id: registered.user.id, email, emailVerified: true });

    const refreshToken = session.refreshToken ?? '';
    const rotated = await t.client().auth.refresh.mutate({ refreshToken });
    expect(rotated.refreshToken).not.toBe(refreshToken);
    expect(rotated.sessionId).toBe(session.sessionId);
    await t.client({ accessToken: rotated.accessToken }).auth.me.query();

    await t.client({ accessToken: rotated.accessToken }).auth.logout.mutate();

    const afterLogout = await failure(
      t.client({ accessToken: rotated.accessToken, batch: false }).auth.me.query(),
    );
    expect(afterLogout).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED' });
    const refreshAfterLogout = await failure(
      t.client().auth.refresh.mutate({ refreshToken: rotated.refreshToken ?? '' }),
    );
    expect(refreshAfterLogout.appCode).toBe('INVALID_REFRESH_TOKEN');
  });
});
