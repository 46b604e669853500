import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp } from '../harness';
import { failure, newEmail, registerAccount } from '../support/accounts';
import { startTestSmtp, tokenFromLink } from '../support/smtp';

const NEW_PASSWORD = 'reset to this passphrase';

async function setup() {
  const smtp = await startTestSmtp();
  const clock = createManualClock();
  const t = await createTestApp({ clock, env: { SMTP_URL: smtp.url } });
  return { smtp, clock, t };
}

describe('password reset', () => {
  it('resets with the emailed link, signs out every session, and the link works once', async () => {
    const { smtp, t } = await setup();
    const account = await registerAccount(t);
    await t.client().auth.requestPasswordReset.mutate({ email: account.email.toUpperCase() });
    await t.drainJobs();
    const mail = smtp.to(account.email).find((m) => m.subject.includes('Reset'));
    const token = tokenFromLink(mail ?? smtp.latest(account.email));

    await t.client().auth.resetPassword.mutate({ token, newPassword: NEW_PASSWORD });

    expect(
      (await failure(t.client({ accessToken: account.accessToken, batch: false }).auth.me.query()))
        .code,
    ).toBe('UNAUTHORIZED');
    expect(
      (await failure(t.client().auth.refresh.mutate({ refreshToken: account.refreshToken })))
        .appCode,
    ).toBe('INVALID_REFRESH_TOKEN');
    await t.client().auth.login.mutate({ email: account.email, password: NEW_PASSWORD });
    const again = await failure(
      t.client().auth.resetPassword.mutate({ token, newPassword: 'another one 123' }),
    );
    expect(again.appCode).toBe('INVALID_TOKEN');
    await t.drainJobs();
    expect(smtp.latest(account.email).subject).toBe('Your Tollbooth password was changed');
  });

  it('refuses a link older than 30 minutes', async () => {
    const { smtp, clock, t } = await setup();
    const account = await registerAccount(t);
    await t.client().auth.requestPasswordReset.mutate({ email: account.email });
    await t.drainJobs();
    const token = tokenFromLink(smtp.latest(account.email));

    clock.advance(30 * 60 * 1000);

    const error = await failure(
      t.client().auth.resetPassword.mutate({ token, newPassword: NEW_PASSWORD }),
    );
    expect(error.appCode).toBe('TOKEN_EXPIRED');
    await t.client().auth.login.mutate({ email: account.email, password: account.password });
  });

  it('sends nothing for an unknown address', async () => {
    const { smtp, t } = await setup();
    const email = newEmail('nobody');

    expect(await t.client().auth.requestPasswordReset.mutate({ email })).toEqual({
      accepted: true,
    });
    await t.drainJobs();

    expect(smtp.to(email)).toEqual([]);
  });

  it('refuses a verification link as a reset link (tokens are bound to their purpose)', async () => {
    const { smtp, t } = await setup();
    const account = await registerAccount(t);
    await t.drainJobs();
    const verificationToken = tokenFromLink(smtp.latest(account.email));

    const error = await failure(
      t.client().auth.resetPassword.mutate({ token: verificationToken, newPassword: NEW_PASSWORD }),
    );
    expect(error.appCode).toBe('INVALID_TOKEN');
  });
});
