/**
 * What a signed-in user does to their own account: profile, password, deactivation. Each
 * password check is rate limited per account, so a stolen access token cannot be turned
 * into a password-guessing oracle.
 */
import type { User } from '@tollbooth/db';
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import { enqueueCustomerSync } from '../billing/customers/stripe-customer';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { enqueueJob } from '../jobs/queue';
import { checkPassword, passwordPolicyViolation } from './passwords/passwords';
import { type PublicUser, toPublicUser } from './public-user';
import { enforceRateLimits } from './rate-limit/enforce';
import { revokeUserSessions } from './sessions/sessions.queries';
import { findUserByIdForUpdate, updateUser } from './users.queries';

export interface Caller {
  user: User;
  /** Null for callers identified by a NextAuth token (no Tollbooth session). */
  sessionId: string | null;
}

export async function updateProfile(
  deps: Pick<Deps, 'db'>,
  caller: Caller,
  input: { name?: string | null | undefined; imageUrl?: string | null | undefined },
): Promise<PublicUser> {
  const changes = {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.imageUrl !== undefined && { image_url: input.imageUrl }),
  };
  if (Object.keys(changes).length === 0) return toPublicUser(caller.user);
  const updated = await deps.db.transaction().execute(async (trx) => {
    const before = await findUserByIdForUpdate(trx, caller.user.id);
    const after = before && (await updateUser(trx, before.id, changes));
    // The Stripe customer carries the name on receipts: the push commits with the change.
    if (after?.stripe_customer_id && after.name !== before?.name) {
      await enqueueCustomerSync(trx, after.id);
    }
    return after;
  });
  if (!updated) throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
  return toPublicUser(updated);
}

async function requirePassword(
  deps: Deps,
  caller: Caller,
  check: { password: string; field: string },
  meta: RequestMeta,
) {
  await enforceRateLimits(deps, meta, [['password.account', caller.user.id]], caller.user.id);
  if (!(await checkPassword(deps.passwords, caller.user.password_hash, check.password))) {
    throw new AppError('INVALID_CREDENTIALS', 'The password is wrong', {
      fieldErrors: { [check.field]: ['is wrong'] },
    });
  }
}

/** Needs the current password; signs out every other session and sends a notice. */
export async function changePassword(
  deps: Deps,
  caller: Caller,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<{ revokedSessions: number }> {
  await requirePassword(
    deps,
    caller,
    { password: input.currentPassword, field: 'currentPassword' },
    meta,
  );
  const violation = passwordPolicyViolation(input.newPassword, caller.user.email);
  if (violation) {
    throw new AppError('VALIDATION_FAILED', 'Invalid input', {
      fieldErrors: { newPassword: [violation] },
    });
  }
  const hash = await deps.passwords.hash(input.newPassword);
  return deps.db.transaction().execute(async (trx) => {
    await updateUser(trx, caller.user.id, { password_hash: hash });
    const revokedSessions = await revokeUserSessions(trx, {
      userId: caller.user.id,
      at: deps.clock.now(),
      reason: 'password_changed',
      keepSessionId: caller.sessionId,
    });
    await enqueueJob(trx, 'send_password_changed', { userId: caller.user.id });
    await recordAuditEvent(trx, {
      event: 'auth.password_changed',
      status: 'success',
      userId: caller.user.id,
      meta,
      metadata: { revokedSessions },
    });
    return { revokedSessions };
  });
}

/**
 * Needs the password (accounts without one set one through the reset flow first). Signs
 * out everywhere; later sign-ins answer ACCOUNT_DEACTIVATED.
 */
export async function deactivateAccount(
  deps: Deps,
  caller: Caller,
  input: { password: string },
  meta: RequestMeta,
): Promise<{ deactivated: true }> {
  await requirePassword(deps, caller, { password: input.password, field: 'password' }, meta);
  await deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    await updateUser(trx, caller.user.id, { status: 'deactivated', deactivated_at: now });
    await revokeUserSessions(trx, { userId: caller.user.id, at: now, reason: 'deactivated' });
    await recordAuditEvent(trx, {
      event: 'auth.deactivated',
      status: 'success',
      userId: caller.user.id,
      meta,
    });
  });
  return { deactivated: true };
}
