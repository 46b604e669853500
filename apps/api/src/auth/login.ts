import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { checkPassword, passwordNeedsRehash } from './passwords/passwords';
import { enforceRateLimits } from './rate-limit/enforce';
import { ipSubject } from './rate-limit/ip-subject';
import { loginFailures } from './rate-limit/login-failures';
import { refuseUnverifiedLogin } from './registration/verify-first';
import { type AuthResult, signIn } from './sessions/sign-in';
import { findUserByEmail, updateUser } from './users.queries';
import { promoteListedAdmin } from './verified-accounts';

export interface LoginInput {
  email: string;
  password: string;
}

/**
 * Email + password sign-in. Unknown email and wrong password are one answer
 * (INVALID_CREDENTIALS) and one cost (a dummy argon2 verification for unknown accounts).
 * Whether an account is deactivated is told only to someone who knows its password.
 * Every attempt costs a per-network point; only failures count against the account, so a
 * stranger's guesses never refuse the owner's correct password (rate-limit/login-failures.ts).
 */
export async function login(deps: Deps, input: LoginInput, meta: RequestMeta): Promise<AuthResult> {
  await enforceRateLimits(deps, meta, [['login.ip', ipSubject(meta.ip)]]);
  const failures = loginFailures(deps, meta, input.email);
  await failures.refuseIfBlocked();
  const found = await findUserByEmail(deps.db, input.email);
  const valid = await checkPassword(deps.passwords, found?.password_hash, input.password);
  if (!found || !valid) {
    await recordAuditEvent(deps.db, {
      event: 'auth.login_failed',
      status: 'failure',
      userId: found?.id ?? null,
      meta,
      metadata: { email: input.email, reason: found ? 'wrong_password' : 'unknown_email' },
    });
    await failures.recordFailure();
    throw new AppError('INVALID_CREDENTIALS', 'Wrong email or password');
  }
  // Judged again on the failures counted while this password was being checked: a correct
  // guess queued behind wrong ones from the same network must not slip past them.
  await failures.refuseIfBlocked();
  if (found.status !== 'active') {
    await recordAuditEvent(deps.db, {
      event: 'auth.login_failed',
      status: 'failure',
      userId: found.id,
      meta,
      metadata: { reason: 'deactivated' },
    });
    throw new AppError('ACCOUNT_DEACTIVATED', 'This account was deactivated');
  }
  // verify-first: a password opens only an account whose address was proven.
  if (deps.config.registrationMode === 'verify-first' && !found.email_verified_at) {
    await refuseUnverifiedLogin(deps, found, meta);
  }
  // Parameters moved on since this hash was made: upgrade it while we hold the password.
  const rehashed =
    found.password_hash && passwordNeedsRehash(found.password_hash)
      ? await deps.passwords.hash(input.password)
      : null;

  const result = await deps.db.transaction().execute(async (trx) => {
    let user = rehashed
      ? ((await updateUser(trx, found.id, { password_hash: rehashed })) ?? found)
      : found;
    // An address added to ADMIN_EMAILS after it was verified takes effect here.
    user = await promoteListedAdmin(trx, deps, { user, via: 'login', meta });
    return signIn(trx, deps, { user, method: 'password', meta });
  });
  return result;
}
