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
 * - Everything runs in the caller's transaction, so a proof that fails later (a deactivated
 *   account) rolls its promotion back too.
 */
import type { Database, User } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { normalizeEmail } from '../lib/email';
import { findUserByEmail, insertUser, updateUser } from './users.queries';

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
 * The account for an address whose ownership was just proven (code, link, OAuth verified
 * email, NextAuth): found, or created verified without a password. A found account that was
 * not yet verified becomes verified. `created` says which. ADMIN_EMAILS applies to every
 * proof except the NextAuth bridge.
 */
export async function findOrCreateVerifiedUser(
  db: Db,
  deps: AccountDeps,
  args: {
    email: string;
    name?: string | null;
    imageUrl?: string | null;
    via: ClaimVia;
    meta: RequestMeta;
  },
): Promise<{ user: User; created: boolean }> {
  let user = await findUserByEmail(db, args.email);
  let created = false;
  if (!user) {
    user = await insertUser(db, {
      email: args.email,
      name: args.name ?? null,
      image_url: args.imageUrl ?? null,
      email_verified_at: deps.clock.now(),
    });
    created = user !== undefined;
    // Lost a race with a concurrent sign-up of the same address: use theirs.
    user ??= await findUserByEmail(db, args.email);
    if (!user) throw new Error('user vanished after a conflicting insert');
  }
  user =
    args.via === 'nextauth'
      ? await markVerified(db, deps, user)
      : await markMailboxProven(db, deps, { user, via: args.via, meta: args.meta });
  return { user, created };
}
