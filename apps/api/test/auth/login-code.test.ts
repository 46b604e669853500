import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp } from '../harness';
import { failure, newEmail, registerAccount } from '../support/accounts';
import { codeFromMail, startTestSmtp } from '../support/smtp';

async function setup(env: Record<string, string> = {}) {
  const smtp = await startTestSmtp();
  const clock = createManualClock();
  const t = await createTestApp({ clock, env: { SMTP_URL: smtp.url, ...env } });
  const requestCode = async (email: string) => {
    await t.client().auth.requestLoginCode.mutate({ email });
    await t.drainJobs();
    return codeFromMail(smtp.latest(email));
  };
  return { smtp, clock, t, requestCode };
}

function otherCode(code: string, n: number): string {
  return String((Number(code) + n) % 1_000_000).padStart(6, '0');
}

describe('login with an emailed code', () => {
  it('creates a verified account for a new address and signs it in', async () => {
    const { t, requestCode } = await setup();
    const email = newEmail('code');

    const result = await t
      .client()
      .auth.loginWithCode.mutate({ email, code: await requestCode(email) });

    expect(result.user).toMatchObject({ email, emailVerified: true });
    const sessions = await t.client({ accessToken: result.accessToken }).auth.sessions.list.query();
    expect(sessions[0]?.method).toBe('code');
  });

  it('signs in an existing account and verifies its address', async () => {
    const { t, requestCode } = await setup();
    const account = await registerAccount(t);

    const result = await t.client().auth.loginWithCode.mutate({
      email: account.email,
      code: await requestCode(account.email),
    });

    expect(result.user).toMatchObject({ id: account.user.id, emailVerified: true });
  });

  it('kills the code after 5 wrong tries, even for the right code afterwards', async () => {
    const { t, requestCode } = await setup();
    const email = newEmail('brute');
    const code = await requestCode(email);

    for (let i = 1; i <= 5; i++) {
      const error = await failure(
        t.client().auth.loginWithCode.mutate({ email, code: otherCode(code, i) }),
      );
      expect(error.appCode).toBe('INVALID_CODE');
    }

    const right = await failure(t.client().auth.loginWithCode.mutate({ email, code }));
    expect(right).toMatchObject({ code: 'BAD_REQUEST', appCode: 'INVALID_CODE' });
  });

  it('accepts the right code after 4 wrong tries', async () => {
    const { t, requestCode } = await setup();
    const email = newEmail();
    const code = await requestCode(email);
    for (let i = 1; i <= 4; i++) {
      await failure(t.client().auth.loginWithCode.mutate({ email, code: otherCode(code, i) }));
    }

    await t.client().auth.loginWithCode.mutate({ email, code });
  });

  it('refuses a code after 10 minutes', async () => {
    const { t, clock, requestCode } = await setup();
    const email = newEmail();
    const code = await requestCode(email);

    clock.advance(10 * 60 * 1000);

    expect((await failure(t.client().auth.loginWithCode.mutate({ email, code }))).appCode).toBe(
      'INVALID_CODE',
    );
  });

  it('accepts a code once', async () => {
    const { t, requestCode } = await setup();
    const email = newEmail();
    const code = await requestCode(email);
    await t.client().auth.loginWithCode.mutate({ email, code });

    expect((await failure(t.client().auth.loginWithCode.mutate({ email, code }))).appCode).toBe(
      'INVALID_CODE',
    );
  });

  it('retires the previous code when a new one is requested', async () => {
    const { t, requestCode } = await setup();
    const email = newEmail();
    const first = await requestCode(email);
    const second = await requestCode(email);

    if (first !== second) {
      expect(
        (await failure(t.client().auth.loginWithCode.mutate({ email, code: first }))).appCode,
      ).toBe('INVALID_CODE');
    }
    await t.client().auth.loginWithCode.mutate({ email, code: second });
  });

  it('does not accept a code sent to another address', async () => {
    const { t, requestCode } = await setup();
    const code = await requestCode(newEmail('a'));

    expect(
      (await failure(t.client().auth.loginWithCode.mutate({ email: newEmail('b'), code }))).appCode,
    ).toBe('INVALID_CODE');
  });

  describe('stored under the server key (AUTH_SECRET_KEY)', () => {
    const KEY = randomBytes(32).toString('base64');
    const OTHER_KEY = randomBytes(32).toString('hex');

    it('keeps an HMAC of the code, not its SHA-256, so the table cannot be reversed offline', async () => {
      const { t, requestCode } = await setup({ AUTH_SECRET_KEY: KEY });
      const email = newEmail();
      const code = await requestCode(email);

      const row = await t.deps.db
        .selectFrom('one_time_secrets')
        .select('secret_hash')
        .where('purpose', '=', 'login_code')
        .executeTakeFirstOrThrow();

      expect(row.secret_hash).toHaveLength(32);
      expect(row.secret_hash.equals(createHash('sha256').update(code).digest())).toBe(false);
    });

    it('accepts a code only where the same key is configured', async () => {
      const { t, requestCode } = await setup({ AUTH_SECRET_KEY: KEY });
      const email = newEmail();
      const code = await requestCode(email);
      const databaseUrl = t.config.databaseUrl ?? '';
      const otherKey = await createTestApp({ databaseUrl, env: { AUTH_SECRET_KEY: OTHER_KEY } });
      const sameKey = await createTestApp({ databaseUrl, env: { AUTH_SECRET_KEY: KEY } });

      const refused = await failure(otherKey.client().auth.loginWithCode.mutate({ email, code }));
      const accepted = await sameKey.client().auth.loginWithCode.mutate({ email, code });

      expect(refused.appCode).toBe('INVALID_CODE');
      expect(accepted.user.email).toBe(email);
    });
  });
});
