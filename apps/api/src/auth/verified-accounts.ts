/**
 * Accounts whose mailbox was proven, and the admin rule that depends on it.
 *
 * Security model
 * - Anyone can register any address with any password, so an account row says nothing about
 *   who reads its mailbox until `email_verified_at` is set. That happens only on proof: the
 *   verify link, a password-reset link, a login code, a magic link, or an OAuth provider that
 *   says the address is verified (see the callers).
 * - ADMIN_EMAILS therefore promotes only a verified account: when the proof arrives, or at a
 *   later sign-in of an account that was verified before its address was listed. Registration
 *   and a password login of an unverified account never promote. Every promotion writes
 *   `auth.admin_promoted` with `via` (how the mailbox was proven, or `login`). The NextAuth
 *   bridge never promotes (see nextauth-bridge.ts): the frontend's word is not a proof.
 * - Pre-account takeover: someone registers a victim's address with his own password and
 *   never verifies it, waiting for the victim to sign in by code, link or OAuth. So when a
 *   mailbox proof claims an existing account that is unverified and has a password, that
 *   password is cleared and every session that existed before is revoked (the refresh
 *   families, and with them their access tokens), audited as
 *   `auth.unverified_password_removed`, and the owner is told by mail. A verified account's
 *   password is its owner's and stays.
 * - Everything runs in the caller's transaction, so a proof that fails later (a deactivated
 *   account) rolls its promotion and takeover back too.
 */
import type { Database, User } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { enqueueJob } from '../jobs/queue';
import { normalizeEmail } from '../lib/email';
import { revokeUserSessions } from './sessions/sessions.queries';
import { findUserByEmail, findUserByIdForUpdate, insertUser, updateUser } from './users.queries';

type Db = Kysely<Database>;
type AccountDeps = Pick<Deps, 'config' | 'clock'>;

/** How a mailbox was just proven. */
export type MailboxProof =
  | 'email_verification'
  | 'password_reset'
  | 'login_code'
  | 'magic_link'
  | 'oauth';
/** A claim through the NextAuth bridge: the frontend vouches, which is not a proof (no promotion). */
export type ClaimVia = MailboxProof | 'nextauth';
/** Why an account was promoted: a fresh proof, or a sign-in of an account verified earlier. */
export type PromotionVia = MailboxProof | 'login';

/**
 * Applies ADMIN_EMAILS to `user`: a verified account whose address is listed becomes admin,
 * audited. Anything else comes back unchanged.
 */
export async function promoteListedAdmin(
  db: Db,
  deps: Pick<Deps, 'config'>,
  args: { user: User; via: PromotionVia; meta: RequestMeta },
): Promise<User> {
  const { user } = args;
  if (user.role === 'admin' || !user.email_verified_at) return user;
  if (!deps.config.adminEmails.includes(normalizeEmail(user.email))) return user;
  const promoted = await updateUser(db, user.id, { role: 'admin' });
  if (!promoted) return user;
  await recordAuditEvent(db, {
    event: 'auth.admin_promoted',
    status: 'success',
    userId: user.id,
    meta: args.meta,
    metadata: { via: args.via },
  });
  return promoted;
}

async function markVerified(db: Db, deps: AccountDeps, user: User): Promise<User> {
  if (user.email_verified_at) return user;
  return (await updateUser(db, user.id, { email_verified_at: deps.clock.now() })) ?? user;
}

/** `user`'s address was just proven by `via`: mark it verified, then apply ADMIN_EMAILS. */
export async function markMailboxProven(
  db: Db,
  deps: AccountDeps,
  args: { user: User; via: MailboxProof; meta: RequestMeta },
): Promise<User> {
  return promoteListedAdmin(db, deps, { ...args, user: await markVerified(db, deps, args.user) });
}

/**
 * The account found unverified with a password was claimed by a mailbox proof: whoever set
 * that password never proved the address, so it goes, with every session that existed
 * before (the claimer's own session starts after this). The owner is told by mail.
 */
async function removeUnverifiedPassword(
  db: Db,
  deps: AccountDeps,
  args: { user: User; via: ClaimVia; meta: RequestMeta },
): Promise<User> {
  const now = deps.clock.now();
  const cleared = await updateUser(db, args.user.id, {
    password_hash: null,
    email_verified_at: now,
  });
  const revokedSessions = await revokeUserSessions(db, {
    userId: args.user.id,
    at: now,
    reason: 'unverified_password_removed',
  });
  await recordAuditEvent(db, {
    event: 'auth.unverified_password_removed',
    status: 'success',
    userId: args.user.id,
    meta: args.meta,
    metadata: { via: args.via, revokedSessions },
  });
  await enqueueJob(db, 'send_unverified_password_removed', { userId: args.user.id });
  return cleared ?? args.user;
}

export interface MailboxClaim {
  user: User;
  /** No account had the address: one was created, verified, without a password. */
  created: boolean;
  /** An unverified password account was claimed: its password and sessions were removed. */
  tookOver: boolean;
}

/**
 * The account of an address whose ownership was just proven (code, link, OAuth verified
 * email, a trusted NextAuth token), for every flow that finds or creates by email: found
 * and marked verified, or created verified without a password. An existing account that was
 * unverified and had a password is taken over (see the header). ADMIN_EMAILS applies to
 * every proof except the NextAuth bridge. Runs in the caller's transaction.
 */
export async function claimVerifiedMailbox(
  db: Db,
  deps: AccountDeps,
  args: {
    email: string;
    name?: string | null;
    imageUrl?: string | null;
    via: ClaimVia;
    meta: RequestMeta;
  },
): Promise<MailboxClaim> {
  const existing = await findUserByEmail(db, args.email);
  const inserted = existing
    ? undefined
    : await insertUser(db, {
        email: args.email,
        name: args.name ?? null,
        image_url: args.imageUrl ?? null,
        email_verified_at: deps.clock.now(),
      });
  // Found, or lost the insert to a concurrent sign-up: read it again under a row lock, so a
  // concurrent password change or registration cannot slip between this check and the claim.
  const other = inserted ? undefined : (existing ?? (await findUserByEmail(db, args.email)));
  let user = inserted ?? (other && (await findUserByIdForUpdate(db, other.id)));
  if (!user) throw new Error('user vanished after a conflicting insert');
  const tookOver = !user.email_verified_at && user.password_hash !== null;
  if (tookOver)
    user = await removeUnverifiedPassword(db, deps, { user, via: args.via, meta: args.meta });
  user =
    args.via === 'nextauth'
      ? await markVerified(db, deps, user)
      : await markMailboxProven(db, deps, { user, via: args.via, meta: args.meta });
  return { user, created: inserted !== undefined, tookOver };
}
