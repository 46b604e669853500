import type { TestApp } from '../harness';
import { newEmail, signedIn } from './accounts';
import { codeFromMail, type TestSmtp, tokenFromLink } from './smtp';

/**
 * Walks every auth flow once (register, verify, login, failed login, refresh, reuse,
 * password change, reset, code, magic link, sessions, logout, deactivate) and returns
 * every secret it saw, so tests can check where those secrets did and did not end up.
 */
export async function runEveryFlow(t: TestApp, smtp: TestSmtp, headers: Record<string, string>) {
  const secrets: string[] = [];
  const keep = <T extends string | null | undefined>(value: T): T => {
    if (value) secrets.push(value);
    return value;
  };
  const client = (accessToken?: string) => t.client({ headers, batch: false, accessToken });
  const email = newEmail('flows');
  const password = keep('first-Secret-passphrase-1');
  const changed = keep('second-Secret-passphrase-2');
  const reset = keep('third-Secret-passphrase-3');

  const registered = signedIn(await client().auth.register.mutate({ email, password }));
  keep(registered.accessToken);
  keep(registered.refreshToken);
  await t.drainJobs();
  await client().auth.verifyEmail.mutate({ token: keep(tokenFromLink(smtp.latest(email))) });

  await client()
    .auth.login.mutate({ email, password: keep('wrong-Secret-guess-0') })
    .catch(() => {});
  const session = await client().auth.login.mutate({ email, password });
  keep(session.accessToken);
  const rotated = await client().auth.refresh.mutate({
    refreshToken: keep(session.refreshToken) ?? '',
  });
  keep(rotated.accessToken);
  keep(rotated.refreshToken);

  await client(rotated.accessToken).auth.changePassword.mutate({
    currentPassword: password,
    newPassword: changed,
  });
  await client(rotated.accessToken).auth.sessions.list.query();

  await client().auth.requestPasswordReset.mutate({ email });
  await t.drainJobs();
  const resetMail = smtp.to(email).find((m) => m.subject.startsWith('Reset'));
  if (!resetMail) throw new Error('no reset mail');
  await client().auth.resetPassword.mutate({
    token: keep(tokenFromLink(resetMail)),
    newPassword: reset,
  });

  await client().auth.requestLoginCode.mutate({ email });
  await t.drainJobs();
  const code = keep(codeFromMail(smtp.latest(email)));
  await client()
    .auth.loginWithCode.mutate({ email, code: code === '000000' ? '000001' : '000000' })
    .catch(() => {});
  const byCode = await client().auth.loginWithCode.mutate({ email, code });
  keep(byCode.accessToken);
  keep(byCode.refreshToken);

  await client().auth.requestMagicLink.mutate({ email });
  await t.drainJobs();
  const byLink = await client().auth.loginWithMagicLink.mutate({
    token: keep(tokenFromLink(smtp.latest(email))),
  });
  keep(byLink.refreshToken);
  await client(byLink.accessToken).auth.logout.mutate();
  await client(byCode.accessToken).auth.deactivate.mutate({ password: reset });

  return { email, secrets, userId: registered.user.id };
}
