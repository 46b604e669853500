/**
 * Registration in REGISTRATION_MODE=verify-first: no account, and no tokens, before the
 * address is proven.
 *
 * Security model
 * - No enumeration: `register` answers `{ verificationRequired: true }` for every address and
 *   does the same work for each: the rate limits, one argon2 hash (timing is dominated by its
 *   ~40 ms; the database work that differs is a few ms of indexed writes), one transaction,
 *   one job. Only the mailbox learns which case it was: a new address gets a link that creates
 *   the account, an existing one a notice that someone tried to register it.
 * - No pre-registration of someone else's address: the argon2 hash and name wait in
 *   `pending_registrations`, tied to the link's one-time secret (an `email_verification`
 *   secret without a user), and become an account, verified, only when the link is redeemed
 *   (verifyEmail). A later registration of the address deletes the earlier one and retires its
 *   link, under a per-address lock, so the last registrant's password is the only one that can
 *   ever be applied. Whoever registers an address first therefore cannot keep a password on
 *   it: the owner's own registration replaces it. Nor can the owner adopt it by opening its
 *   link: redeeming a registration link also takes the password chosen at sign-up
 *   (registration-proof.ts), which the owner of a stranger's registration does not have.
 * - The link's secret is made by the mail job, as for every link (secrets/): the request
 *   stores a hash of random bytes nobody holds, and the job re-keys the row when it sends,
 *   so no usable secret sits in the queue table; a retried job re-keys again and the unsent
 *   link dies. The link lives 24 hours (email_verification).
 * - Sign-in stays closed to an address nobody proved: an account that exists unverified
 *   (made in open mode) gets EMAIL_NOT_VERIFIED from a correct password, never tokens, and a
 *   fresh verification link within the mail budget.
 */
import type { Database, OneTimeSecret, User } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { type RequestMeta, recordAuditEvent } from '../../audit/audit';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { enqueueJob } from '../../jobs/queue';
import { normalizeEmail } from '../../lib/email';
import type { RandomSource } from '../../lib/random';
import { enforceRateLimits, mailRateLimits } from '../rate-limit/enforce';
import { ipSubject } from '../rate-limit/ip-subject';
import { formatToken, generateTokenSecret, secretExpiry } from '../secrets/one-time-secrets';
import { insertOneTimeSecret } from '../secrets/secrets.queries';
import { findUserByEmail, insertUser } from '../users.queries';
import {
  discardPendingRegistrations,
  insertPendingRegistration,
  lockRegistrationsOf,
  rekeyPendingRegistration,
  takePendingRegistration,
} from './pending-registrations.queries';
import type { RegisterInput } from './register';
import { type RegistrationProof, registrationPasswordRequired } from './registration-proof';

type Db = Kysely<Database>;

export async function registerVerifyFirst(
  deps: Deps,
  input: RegisterInput,
  meta: RequestMeta,
): Promise<{ verificationRequired: true }> {
  await enforceRateLimits(deps, meta, [
    ['register.ip', ipSubject(meta.ip)],
    ...mailRateLimits(meta, input.email),
  ]);
  // Hashed for a known address too: the answer must not come back 40 ms sooner for it.
  const passwordHash = await deps.passwords.hash(input.password);
  await deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    await lockRegistrationsOf(trx, input.email);
    const existing = await findUserByEmail(trx, input.email);
    if (existing) {
      await enqueueJob(trx, 'send_registration_attempt', { email: input.email });
    } else {
      await discardPendingRegistrations(trx, { email: input.email, at: now });
      const secret = await insertOneTimeSecret(trx, {
        purpose: 'email_verification',
        email: normalizeEmail(input.email),
        user_id: null,
        // A hash of a secret nobody holds: the mail job sets the real one when it sends.
        secret_hash: generateTokenSecret(deps.random).hash,
        created_at: now,
        expires_at: secretExpiry('email_verification', now),
      });
      await insertPendingRegistration(trx, {
        secretId: secret.id,
        passwordHash,
        name: input.name ?? null,
      });
      await enqueueJob(trx, 'send_registration_link', {
        email: input.email,
        registrationId: secret.id,
      });
    }
    await recordAuditEvent(trx, {
      event: 'auth.register_requested',
      status: 'success',
      userId: existing?.id ?? null,
      meta,
      metadata: { email: input.email, outcome: existing ? 'account_exists' : 'pending' },
    });
  });
  return { verificationRequired: true };
}

/**
 * For the mail job: a fresh secret for the pending registration, as a link token; null when
 * the registration was replaced, redeemed or has expired (then nothing is sent).
 */
export async function issueRegistrationLink(
  db: Db,
  args: { registrationId: string; email: string; random: RandomSource; now: Date },
): Promise<string | null> {
  const { secret, hash } = generateTokenSecret(args.random);
  const rekeyed = await rekeyPendingRegistration(db, {
    secretId: args.registrationId,
    email: args.email,
    secretHash: hash,
    now: args.now,
  });
  return rekeyed ? formatToken(args.registrationId, secret) : null;
}

/**
 * verifyEmail with the link of a pending registration (already redeemed by the caller, in
 * its transaction) and the proof that the redeemer knows its password (registration-proof.ts):
 * creates the account, verified, with that password. Without a matching proof it refuses and
 * the caller's rollback keeps the link usable. None when there is nothing to apply, or when
 * the address got an account meanwhile (a login code or OAuth): a stranger's pending password
 * never lands on an existing account.
 */
export async function createRegisteredAccount(
  db: Db,
  deps: Pick<Deps, 'clock'>,
  args: { secret: OneTimeSecret; proof: RegistrationProof | null; meta: RequestMeta },
): Promise<User | undefined> {
  if (args.proof?.secretId !== args.secret.id) throw registrationPasswordRequired();
  const pending = await takePendingRegistration(db, args.secret.id);
  if (!pending || pending.password_hash !== args.proof.passwordHash) return undefined;
  const user = await insertUser(db, {
    email: args.secret.email,
    name: pending.name,
    password_hash: pending.password_hash,
    email_verified_at: deps.clock.now(),
  });
  if (!user) return undefined;
  await recordAuditEvent(db, {
    event: 'auth.register',
    status: 'success',
    userId: user.id,
    meta: args.meta,
    metadata: { mode: 'verify-first' },
  });
  return user;
}

/**
 * login in verify-first mode, for the holder of the right password of an unverified account:
 * no tokens; a new verification link if the address's mail budget allows.
 */
export async function refuseUnverifiedLogin(
  deps: Deps,
  user: User,
  meta: RequestMeta,
): Promise<never> {
  await recordAuditEvent(deps.db, {
    event: 'auth.login_failed',
    status: 'failure',
    userId: user.id,
    meta,
    metadata: { reason: 'unverified' },
  });
  const mailed = await enforceRateLimits(deps, meta, mailRateLimits(meta, user.email), user.id)
    .then(() => true)
    .catch((error: unknown) => {
      if (error instanceof AppError && error.appCode === 'RATE_LIMITED') return false;
      throw error;
    });
  if (mailed) await enqueueJob(deps.db, 'send_email_verification', { userId: user.id });
  throw new AppError(
    'EMAIL_NOT_VERIFIED',
    'Confirm your email address first: open the link we sent you',
  );
}
