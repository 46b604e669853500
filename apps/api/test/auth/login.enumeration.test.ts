import { describe, expect, it } from 'vitest';
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

  it('checks unknown emails against a dummy hash (an argon2 verification either way)', async () => {
    // Timing is not asserted (never assert wall-clock time in tests); what makes the times
    // comparable is that both paths run argon2. The passwordless account path shows it too:
    // an account without a password answers exactly like a wrong password.
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    const email = newEmail('passwordless');
    await t.client().auth.requestLoginCode.mutate({ email });
    await t.drainJobs();
    await t.client().auth.loginWithCode.mutate({ email, code: codeFromMail(smtp.latest(email)) });
    const known = await registerAccount(t);

    const noPassword = await call(t, 'auth.login', { email, password: PASSWORD });
    const wrong = await call(t, 'auth.login', { email: known.email, password: 'nope nope' });

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
