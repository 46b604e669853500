import { describe, expect, it } from 'vitest';
import { inlinePasswordHasher, type PasswordHasher } from '../../src/auth/passwords/passwords';
import { insertUser } from '../../src/auth/users.queries';
import { parseConfig } from '../../src/config';
import { createTestApp, type TestApp } from '../harness';
import { failure, newEmail } from '../support/accounts';
import { codeFromMail, startTestSmtp, type TestSmtp, tokenFromLink } from '../support/smtp';

const PASSWORD = 'my own passphrase 42';
const STRANGER_PASSWORD = 'a stranger chose this 7';

/** The real argon2 hasher, counting the hashes it makes. */
function countingHasher() {
  const made = { hashes: 0 };
  const hasher: PasswordHasher = {
    hash(password) {
      made.hashes += 1;
      return inlinePasswordHasher.hash(password);
    },
    verify: (hash, password) => inlinePasswordHasher.verify(hash, password),
  };
  return { hasher, made };
}

async function setup() {
  const smtp = await startTestSmtp();
  const { hasher, made } = countingHasher();
  const t = await createTestApp({
    env: { SMTP_URL: smtp.url, REGISTRATION_MODE: 'verify-first' },
    passwords: hasher,
  });
  return { smtp, t, made };
}

/** An address with a verified account (signed up by login code), as a victim would have. */
async function existingAccount(t: TestApp, smtp: TestSmtp) {
  const email = newEmail('owner');
  await t.client().auth.requestLoginCode.mutate({ email });
  await t.drainJobs();
  await t.client().auth.loginWithCode.mutate({ email, code: codeFromMail(smtp.latest(email)) });
  return email;
}

/** One unbatched register call as the wire carries it: status, body, Set-Cookie. */
async function rawRegister(t: TestApp, email: string, password: string) {
  const response = await t.fetch('http://tollbooth.test/trpc/auth.register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, cookie: true }),
  });
  return {
    status: response.status,
    body: await response.text(),
    setCookie: response.headers.get('set-cookie'),
  };
}

const loginFails = async (t: TestApp, email: string, password: string) =>
  (await failure(t.client().auth.login.mutate({ email, password }))).appCode;

describe('REGISTRATION_MODE=verify-first', () => {
  it('is one of open (the default) and verify-first, else start-up stops naming the variable', () => {
    expect(parseConfig({}).registrationMode).toBe('open');
    expect(() => parseConfig({ REGISTRATION_MODE: 'closed' })).toThrow(
      'Invalid configuration: REGISTRATION_MODE must be open or verify-first',
    );
  });

  it('answers a new and an existing address alike, with no tokens and one argon2 hash each', async () => {
    const { smtp, t, made } = await setup();
    const owner = await existingAccount(t, smtp);

    const before = made.hashes;
    const forExisting = await rawRegister(t, owner, PASSWORD);
    const hashesForExisting = made.hashes - before;
    const forNew = await rawRegister(t, newEmail(), PASSWORD);
    const hashesForNew = made.hashes - before - hashesForExisting;

    expect(forExisting).toEqual(forNew);
    expect(forNew).toEqual({
      status: 200,
      body: JSON.stringify({ result: { data: { verificationRequired: true } } }),
      setCookie: null,
    });
    expect([hashesForExisting, hashesForNew]).toEqual([1, 1]);
  });

  it('mails a new address its link and the existing owner a notice; neither can sign in yet', async () => {
    const { smtp, t } = await setup();
    const owner = await existingAccount(t, smtp);
    const fresh = newEmail('new');

    await t.client().auth.register.mutate({ email: owner, password: PASSWORD });
    await t.client().auth.register.mutate({ email: fresh, password: PASSWORD });
    await t.drainJobs();

    const notice = smtp.latest(owner);
    expect(notice.subject).toBe('Someone tried to register with your Tollbooth address');
    expect(notice.text).not.toContain('token=');
    const link = smtp.latest(fresh);
    expect(link.subject).toBe('Confirm your Tollbooth email address');
    expect(tokenFromLink(link)).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    expect(await loginFails(t, fresh, PASSWORD)).toBe('INVALID_CREDENTIALS');
    expect(await loginFails(t, owner, PASSWORD)).toBe('INVALID_CREDENTIALS');
    const accounts = await t.deps.db.selectFrom('users').select('email').execute();
    expect(accounts.map((row) => row.email)).toEqual([owner]);
  });

  it('creates the account, verified, when the link is redeemed; then the password signs in', async () => {
    const { smtp, t } = await setup();
    const email = newEmail('new');
    await t.client().auth.register.mutate({ email, password: PASSWORD, name: 'Ada' });
    await t.drainJobs();
    const token = tokenFromLink(smtp.latest(email));
    expect(await loginFails(t, email, PASSWORD)).toBe('INVALID_CREDENTIALS');

    expect(await t.client().auth.verifyEmail.mutate({ token, password: PASSWORD })).toEqual({
      email,
    });

    const session = await t.client().auth.login.mutate({ email, password: PASSWORD });
    expect(await t.client({ accessToken: session.accessToken }).auth.me.query()).toMatchObject({
      email,
      name: 'Ada',
      emailVerified: true,
    });
    const again = await failure(t.client().auth.verifyEmail.mutate({ token, password: PASSWORD }));
    expect(again.appCode).toBe('INVALID_TOKEN');
    const pending = await t.deps.db.selectFrom('pending_registrations').selectAll().execute();
    expect(pending).toEqual([]);
  });

  it('lets no one who registers an address first keep a password on it', async () => {
    const { smtp, t } = await setup();
    const victim = newEmail('victim');
    await t.client().auth.register.mutate({ email: victim, password: STRANGER_PASSWORD });
    await t.drainJobs();
    const strangersLink = tokenFromLink(smtp.latest(victim));

    await t.client().auth.register.mutate({ email: victim, password: PASSWORD });
    await t.drainJobs();
    const victimsLink = tokenFromLink(smtp.latest(victim));

    expect(
      (
        await failure(
          t.client().auth.verifyEmail.mutate({
            token: strangersLink,
            password: STRANGER_PASSWORD,
          }),
        )
      ).appCode,
    ).toBe('INVALID_TOKEN');
    await t.client().auth.verifyEmail.mutate({ token: victimsLink, password: PASSWORD });
    expect(await loginFails(t, victim, STRANGER_PASSWORD)).toBe('INVALID_CREDENTIALS');
    await t.client().auth.login.mutate({ email: victim, password: PASSWORD });
  });

  it('sends only the newest link when a registration is replaced before its mail went out', async () => {
    const { smtp, t } = await setup();
    const email = newEmail('twice');

    await t.client().auth.register.mutate({ email, password: STRANGER_PASSWORD });
    await t.client().auth.register.mutate({ email, password: PASSWORD });
    await t.drainJobs();

    expect(smtp.to(email)).toHaveLength(1);
    await t
      .client()
      .auth.verifyEmail.mutate({ token: tokenFromLink(smtp.latest(email)), password: PASSWORD });
    await t.client().auth.login.mutate({ email, password: PASSWORD });
    const pending = await t.deps.db.selectFrom('pending_registrations').selectAll().execute();
    expect(pending).toEqual([]);
  });

  it('refuses a pending link once the address got an account another way', async () => {
    const { smtp, t } = await setup();
    const email = newEmail('raced');
    await t.client().auth.register.mutate({ email, password: STRANGER_PASSWORD });
    await t.drainJobs();
    const pendingLink = tokenFromLink(smtp.latest(email));

    await t.client().auth.requestLoginCode.mutate({ email });
    await t.drainJobs();
    await t.client().auth.loginWithCode.mutate({ email, code: codeFromMail(smtp.latest(email)) });

    expect(
      (
        await failure(
          t.client().auth.verifyEmail.mutate({ token: pendingLink, password: STRANGER_PASSWORD }),
        )
      ).appCode,
    ).toBe('INVALID_TOKEN');
    expect(await loginFails(t, email, STRANGER_PASSWORD)).toBe('INVALID_CREDENTIALS');
  });

  it('gives a correct password of an unverified account no tokens, but a new link', async () => {
    const { smtp, t } = await setup();
    // An account from before the switch to verify-first, never verified.
    const email = newEmail('legacy');
    await insertUser(t.deps.db, {
      email,
      name: null,
      password_hash: await inlinePasswordHasher.hash(PASSWORD),
    });

    const refused = await failure(t.client().auth.login.mutate({ email, password: PASSWORD }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', appCode: 'EMAIL_NOT_VERIFIED' });
    expect(await loginFails(t, email, STRANGER_PASSWORD)).toBe('INVALID_CREDENTIALS');

    await t.drainJobs();
    await t.client().auth.verifyEmail.mutate({ token: tokenFromLink(smtp.latest(email)) });
    await t.client().auth.login.mutate({ email, password: PASSWORD });
  });
});
