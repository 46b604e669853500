/**
 * Email verification and password reset. Requests only enqueue a job (the job creates the
 * secret and sends it), so a request answers the same, in the same time, whether or not the
 * address has an account: nothing to enumerate.
 */
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { enqueueJob } from '../jobs/queue';
import type { Caller } from './account.service';
import { passwordPolicyViolation } from './passwords/passwords';
import { enforceRateLimits, mailRateLimits } from './rate-limit/enforce';
import { ipSubject } from './rate-limit/ip-subject';
import { proveRegistrationPassword } from './registration/registration-proof';
import { createRegisteredAccount } from './registration/verify-first';
import { redeemToken, redeemTokenWithUser } from './secrets/secrets.service';
import { revokeUserSessions } from './sessions/sessions.queries';
import { findUserByIdForUpdate, updateUser } from './users.queries';
import { markMailboxProven, promoteListedAdmin } from './verified-accounts';

export async function requestEmailVerification(
  deps: Deps,
  caller: Caller,
  meta: RequestMeta,
): Promise<{ sent: boolean }> {
  if (caller.user.email_verified_at) return { sent: false };
  await enforceRateLimits(deps, meta, mailRateLimits(meta, caller.user.email), caller.user.id);
  await enqueueJob(deps.db, 'send_email_verification', { userId: caller.user.id });
  return { sent: true };
}

/**
 * Redeems a verification link. An account's link needs nothing more; a verify-first
 * registration's link also needs the password chosen at sign-up (registration-proof.ts),
 * checked here before the transaction so argon2 holds no lock. Either answers `{ email }`.
 */
export async function verifyEmail(
  deps: Deps,
  input: { token: string; password?: string | undefined },
  meta: RequestMeta,
): Promise<{ email: string }> {
  await enforceRateLimits(deps, meta, [['code.ip', ipSubject(meta.ip)]]);
  const proof = await proveRegistrationPassword(deps, input, meta);
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const secret = await redeemToken(trx, {
      purpose: 'email_verification',
      token: input.token,
      now,
    });
    // A link without an account is a pending registration (verify-first.ts): it creates one.
    const user = secret.user_id
      ? await findUserByIdForUpdate(trx, secret.user_id)
      : await createRegisteredAccount(trx, deps, { secret, proof, meta });
    // The address changed since the link was sent: it proves nothing about the new one.
    if (!user || user.email !== secret.email) {
      throw new AppError('INVALID_TOKEN', 'This link is invalid or was already used');
    }
    await markMailboxProven(trx, deps, { user, via: 'email_verification', meta });
    await recordAuditEvent(trx, {
      event: 'auth.email_verified',
      status: 'success',
      userId: user.id,
      meta,
    });
    return { email: user.email };
  });
}

/** Always answers `{ accepted: true }`; mail goes out only if the account exists. */
export async function requestPasswordReset(
  deps: Deps,
  input: { email: string },
  meta: RequestMeta,
): Promise<{ accepted: true }> {
  await enforceRateLimits(deps, meta, mailRateLimits(meta, input.email));
  await deps.db.transaction().execute(async (trx) => {
    await enqueueJob(trx, 'send_password_reset', { email: input.email });
    await recordAuditEvent(trx, {
      event: 'auth.password_reset_requested',
      status: 'success',
      meta,
      metadata: { email: input.email },
    });
  });
  return { accepted: true };
}

/** Sets a new password and signs out every session: whoever had the old one is out. */
export async function resetPassword(
  deps: Deps,
  input: { token: string; newPassword: string },
  meta: RequestMeta,
): Promise<{ email: string }> {
  await enforceRateLimits(deps, meta, [['code.ip', ipSubject(meta.ip)]]);
  // Hash before the transaction: argon2 takes tens of ms and must not hold row locks.
  const hash = await deps.passwords.hash(input.newPassword);
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    // One statement redeems the link and locks its account.
    const { secret, user } = await redeemTokenWithUser(trx, {
      purpose: 'password_reset',
      token: input.token,
      now,
    });
    if (user.status !== 'active' || user.email !== secret.email) {
      throw new AppError('INVALID_TOKEN', 'This link is invalid or was already used');
    }
    const violation = passwordPolicyViolation(input.newPassword, user.email);
    if (violation) {
      throw new AppError('VALIDATION_FAILED', 'Invalid input', {
        fieldErrors: { newPassword: [violation] },
      });
    }
    // The reset link reached this mailbox, so the address is proven as well.
    const updated = await updateUser(trx, user.id, {
      password_hash: hash,
      email_verified_at: user.email_verified_at ?? now,
    });
    if (updated) {
      await promoteListedAdmin(trx, deps, { user: updated, via: 'password_reset', meta });
    }
    const revokedSessions = await revokeUserSessions(trx, {
      userId: user.id,
      at: now,
      reason: 'password_reset',
    });
    await enqueueJob(trx, 'send_password_changed', { userId: user.id });
    await recordAuditEvent(trx, {
      event: 'auth.password_reset',
      status: 'success',
      userId: user.id,
      meta,
      metadata: { revokedSessions },
    });
    return { email: user.email };
  });
}
