/**
 * verify-first: a registration link creates its account only for someone who also knows the
 * password chosen at sign-up.
 *
 * Security model
 * - Why: anyone can register any address. If the link alone sufficed, a stranger would
 *   register victim@x with his own password, the victim would open the "confirm your email"
 *   mail like any other, and the account would exist with the stranger's password: the
 *   pre-account takeover verify-first is there to prevent. Redeeming therefore takes both
 *   halves: the link (the mailbox) and the password (checked against the registration's
 *   argon2 hash). The stranger has no link, the victim no password; neither completes it,
 *   and the victim's own registration replaces the stranger's (verify-first.ts).
 * - No password (BAD_REQUEST VALIDATION_FAILED, fieldErrors.password: the app's cue to ask)
 *   and a wrong one (INVALID_CREDENTIALS) leave the link usable: the check only reads it,
 *   and runs, argon2 included, before verifyEmail's transaction locks anything.
 * - Guessing: only a holder of a live registration link gets this far (any other token
 *   costs nothing here and is judged by the redemption). Each password tried costs a point
 *   of registration.account for the address (10 per 15 minutes, rules.ts), besides code.ip;
 *   asking without a password costs none. Wrong passwords are audited (auth.register,
 *   failure).
 * - The proof names the link and the hash it was checked against; createRegisteredAccount
 *   applies a pending registration only with a proof matching both, so no path creates the
 *   account from an unproven link.
 * - On success verifyEmail still answers `{ email }`, no tokens: one answer for every kind
 *   of verification link, and signing in stays login's job, with login's limits.
 */
import { type RequestMeta, recordAuditEvent } from '../../audit/audit';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { sha256 } from '../../lib/hash';
import { emailSubject } from '../rate-limit/email-subject';
import { enforceRateLimits } from '../rate-limit/enforce';
import { parseToken } from '../secrets/one-time-secrets';
import { findPendingRegistrationByToken } from './pending-registrations.queries';

/** A password was proven for the pending registration of link `secretId`. */
export interface RegistrationProof {
  secretId: string;
  passwordHash: string;
}

export const REGISTRATION_PASSWORD_REQUIRED = 'enter the password you chose when you signed up';

export function registrationPasswordRequired(): AppError {
  return new AppError('VALIDATION_FAILED', 'Enter the password you chose when you signed up', {
    fieldErrors: { password: [REGISTRATION_PASSWORD_REQUIRED] },
  });
}

/**
 * For verifyEmail, before its transaction: null when `token` is not a live registration
 * link (an account's link, or one the redemption will refuse); otherwise the proof that
 * `password` is the registration's, or an error that leaves the link as it was.
 */
export async function proveRegistrationPassword(
  deps: Pick<Deps, 'db' | 'clock' | 'passwords' | 'rateLimiter'>,
  input: { token: string; password?: string | undefined },
  meta: RequestMeta,
): Promise<RegistrationProof | null> {
  const parsed = parseToken(input.token);
  if (!parsed) return null;
  const pending = await findPendingRegistrationByToken(deps.db, {
    id: parsed.id,
    hash: sha256(parsed.secret),
    now: deps.clock.now(),
  });
  if (!pending) return null;
  if (input.password === undefined) throw registrationPasswordRequired();
  await enforceRateLimits(deps, meta, [['registration.account', emailSubject(pending.email)]]);
  if (!(await deps.passwords.verify(pending.password_hash, input.password))) {
    await recordAuditEvent(deps.db, {
      event: 'auth.register',
      status: 'failure',
      meta,
      metadata: { mode: 'verify-first', reason: 'wrong_password', email: pending.email },
    });
    throw new AppError('INVALID_CREDENTIALS', 'This is not the password chosen when signing up');
  }
  return { secretId: parsed.id, passwordHash: pending.password_hash };
}
