import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness';
import { failure, newEmail, signedIn } from '../support/accounts';
import { startTestSmtp, type TestSmtp, tokenFromLink } from '../support/smtp';

const PASSWORD = 'my own passphrase 42';
const ATTACKER_PASSWORD = 'a stranger chose this 7';

async function setup(env: Record<string, string> = {}) {
  const smtp = await startTestSmtp();
  const t = await createTestApp({
    env: { SMTP_URL: smtp.url, REGISTRATION_MODE: 'verify-first', ...env },
  });
  return { smtp, t };
}

/** Registers `email` with `password` and returns the token of the link mailed to it. */
async function pendingLink(t: TestApp, smtp: TestSmtp, email: string, password: string) {
  await t.client().auth.register.mutate({ email, password });
  await t.drainJobs();
  return tokenFromLink(smtp.latest(email));
}

const accounts = (t: TestApp) => t.deps.db.selectFrom('users').select('email').execute();

describe('verify-first: redeeming a registration link proves the password chosen at sign-up', () => {
  it('refuses the link opened without that password, so the mailbox owner cannot adopt a stranger’s registration', async () => {
    const { smtp, t } = await setup();
    const victim = newEmail('victim');
    const token = await pendingLink(t, smtp, victim, ATTACKER_PASSWORD);

    const refused = await failure(t.client().auth.verifyEmail.mutate({ token }));

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(refused.data.fieldErrors).toEqual({
      password: ['enter the password you chose when you signed up'],
    });
    expect(await accounts(t)).toEqual([]);
    const login = await failure(
      t.client().auth.login.mutate({ email: victim, password: ATTACKER_PASSWORD }),
    );
    expect(login.appCode).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a wrong password without using up the link, which the registrant then redeems', async () => {
    const { smtp, t } = await setup();
    const email = newEmail('new');
    const token = await pendingLink(t, smtp, email, PASSWORD);

    const wrong = await failure(
      t.client().auth.verifyEmail.mutate({ token, password: ATTACKER_PASSWORD }),
    );
    expect(wrong).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'INVALID_CREDENTIALS' });
    expect(await accounts(t)).toEqual([]);

    expect(await t.client().auth.verifyEmail.mutate({ token, password: PASSWORD })).toEqual({
      email,
    });
    const session = await t.client().auth.login.mutate({ email, password: PASSWORD });
    expect(await t.client({ accessToken: session.accessToken }).auth.me.query()).toMatchObject({
      email,
      emailVerified: true,
    });
    const again = await failure(t.client().auth.verifyEmail.mutate({ token, password: PASSWORD }));
    expect(again.appCode).toBe('INVALID_TOKEN');
  });

  it('limits password tries per address, even the right one, and only on that address', async () => {
    const { smtp, t } = await setup({ RATE_LIMITS: 'registration.account=2/600' });
    const email = newEmail('guessed');
    const token = await pendingLink(t, smtp, email, PASSWORD);
    const attempt = async (password: string) =>
      (await failure(t.client().auth.verifyEmail.mutate({ token, password }))).appCode;

    expect(await attempt('first wrong guess 1')).toBe('INVALID_CREDENTIALS');
    expect(await attempt('second wrong guess 2')).toBe('INVALID_CREDENTIALS');
    expect(await attempt(PASSWORD)).toBe('RATE_LIMITED');
    expect(await accounts(t)).toEqual([]);

    const other = newEmail('other');
    const otherToken = await pendingLink(t, smtp, other, PASSWORD);
    expect(
      await t.client().auth.verifyEmail.mutate({ token: otherToken, password: PASSWORD }),
    ).toEqual({ email: other });
  });

  it('asks no password for the verification link of an account that exists (open mode)', async () => {
    const { smtp, t } = await setup({ REGISTRATION_MODE: 'open' });
    const email = newEmail('open');
    signedIn(await t.client().auth.register.mutate({ email, password: PASSWORD }));
    await t.drainJobs();

    const token = tokenFromLink(smtp.latest(email));
    expect(await t.client().auth.verifyEmail.mutate({ token })).toEqual({ email });
  });

  it('tells the registrant in the mail that the link will ask for the password', async () => {
    const { smtp, t } = await setup();
    const email = newEmail('mail');
    await pendingLink(t, smtp, email, PASSWORD);

    expect(smtp.latest(email).text).toContain('asks for the password you chose when signing up');
  });
});
