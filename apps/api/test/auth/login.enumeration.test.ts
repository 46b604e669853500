import { describe, expect, it } from 'vitest';
import { inlinePasswordHasher, type PasswordHasher } from '../../src/auth/passwords/passwords';
import { createTestApp, type TestApp } from '../harness';
import { newEmail, PASSWORD, registerAccount } from '../support/accounts';
import { readTrpcBody } from '../support/http';
import { codeFromMail, startTestSmtp } from '../support/smtp';

/** The raw unbatched response, with the per-request id taken out. */
async function call(t: TestApp, procedure: string, input: unknown) {
  const response = await t.fetch(`http://tollbooth.test/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = await readTrpcBody(response);
  if (body.error) body.error.data.requestId = '<id>';
  return { status: response.status, body };
}

/** The real argon2 hasher, recording the stored hash of every verification in call order. */
function recordingHasher() {
  const verified: string[] = [];
  const hasher: PasswordHasher = {
    hash: (password) => inlinePasswordHasher.hash(password),
    verify(hash, password) {
      verified.push(hash);
      return inlinePasswordHasher.verify(hash, password);
    },
  };
  return { hasher, verified };
}

/** The PHC parameters (`argon2id$v=19$m=19456,p=1,t=2`): what verifying this hash costs. */
function costOf(hash: string | null | undefined) {
  return hash?.split('$').slice(1, 4).join('$');
}

describe('no account enumeration', () => {
  it('answers a wrong password and an unknown email with the same INVALID_CREDENTIALS', async () => {
    const t = await createTestApp();
    const { email } = await registerAccount(t);

    const wrongPassword = await call(t, 'auth.login', { email, password: 'wrong password!' });
    const unknownEmail = await call(t, 'auth.login', { email: newEmail(), password: PASSWORD });

    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.error?.data.appCode).toBe('INVALID_CREDENTIALS');
    expect(unknownEmail).toEqual(wrongPassword);
  });

  it('costs one argon2 verification for an unknown email, a passwordless account and a wrong password alike', async () => {
    // Timing is not asserted (never assert wall-clock time in tests); what makes the times
    // comparable is that every path runs exactly one argon2 verification with the same
    // parameters. The hasher records each verification, so a path that skips it shows.
    const { hasher, verified } = recordingHasher();
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url }, passwords: hasher });
    const passwordless = newEmail('passwordless');
    await t.client().auth.requestLoginCode.mutate({ email: passwordless });
    await t.drainJobs();
    await t.client().auth.loginWithCode.mutate({
      email: passwordless,
      code: codeFromMail(smtp.latest(passwordless)),
    });
    const known = await registerAccount(t);
    const stored = await t.deps.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', known.user.id)
      .executeTakeFirstOrThrow();

    verified.length = 0;
    const wrong = await call(t, 'auth.login', { email: known.email, password: 'nope nope' });
    expect(verified).toEqual([stored.password_hash]);

    verified.length = 0;
    const unknown = await call(t, 'auth.login', { email: newEmail(), password: PASSWORD });
    expect(verified).toHaveLength(1);
    expect(verified[0]).not.toBe(stored.password_hash);
    expect(costOf(verified[0])).toBe(costOf(stored.password_hash));

    verified.length = 0;
    const noPassword = await call(t, 'auth.login', { email: passwordless, password: PASSWORD });
    expect(verified).toHaveLength(1);
    expect(costOf(verified[0])).toBe(costOf(stored.password_hash));

    expect(unknown).toEqual(wrong);
    expect(noPassword).toEqual(wrong);
  });

  it.each(['auth.requestPasswordReset', 'auth.requestLoginCode', 'auth.requestMagicLink'])(
    '%s answers the same for a known and an unknown email',
    async (procedure) => {
      const t = await createTestApp();
      const { email } = await registerAccount(t);

      const known = await call(t, procedure, { email });
      const unknown = await call(t, procedure, { email: newEmail() });

      expect(known.status).toBe(200);
      expect(unknown).toEqual(known);
    },
  );
});
