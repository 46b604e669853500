/**
 * The NextAuth/Auth.js bridge: which Tollbooth account a valid NextAuth session token names.
 *
 * Security model
 * - A token that opens with the shared secret was minted by the frontend (tokens/
 *   nextauth-tokens.ts), but its `email` is only as good as the frontend's providers: with a
 *   credentials provider, or any that does not verify addresses, anyone can get a token for
 *   any address. So the address counts as proven only when the token says
 *   `email_verified: true`, or when the operator set NEXTAUTH_TRUST_EMAIL=true because every
 *   provider of the app verifies addresses.
 * - Unproven: a new address gets an account, left unverified. An existing account is served
 *   only when it has neither a password nor an OAuth link, i.e. nothing its owner set up
 *   that the token could take over; otherwise 401 NEXTAUTH_EMAIL_UNVERIFIED.
 * - Proven: the address is claimed like any mailbox proof (claimVerifiedMailbox): a new
 *   account is verified, and an unverified password account loses that password and its
 *   sessions (verified-accounts.ts).
 * - ADMIN_EMAILS never promotes here: the frontend's word is not our proof of the mailbox.
 *   Every account created here is audited (`auth.nextauth_account_created`).
 * - Resolution runs once per token. The account id is cached with the decrypted token until
 *   it expires; later requests read the user by id (one query), so a deactivation still
 *   takes effect at once, and a request is never a find-or-create.
 */
import type { User } from '@tollbooth/db';
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import type { Caller } from './account.service';
import type { NextAuthIdentity, NextAuthTokens } from './tokens/nextauth-tokens';
import { findUserByEmail, findUserById, hasOAuthAccount, insertUser } from './users.queries';
import { claimVerifiedMailbox } from './verified-accounts';

type Db = Deps['db'];
type BridgeDeps = Pick<Deps, 'db' | 'config' | 'clock'>;

async function recordCreated(db: Db, user: User, meta: RequestMeta): Promise<void> {
  await recordAuditEvent(db, {
    event: 'auth.nextauth_account_created',
    status: 'success',
    userId: user.id,
    meta,
    metadata: { emailVerified: user.email_verified_at !== null },
  });
}

/** The account of an address the token does not prove: a new one, or one with nothing to take. */
async function resolveUnproven(db: Db, identity: NextAuthIdentity, meta: RequestMeta) {
  const existing = await findUserByEmail(db, identity.email);
  const inserted = existing
    ? undefined
    : await insertUser(db, {
        email: identity.email,
        name: identity.name ?? null,
        image_url: identity.picture ?? null,
      });
  if (inserted) {
    await recordCreated(db, inserted, meta);
    return inserted;
  }
  // Found, or created meanwhile by a concurrent request (a page firing several calls at once).
  const user = existing ?? (await findUserByEmail(db, identity.email));
  if (!user) throw new Error('user vanished after a conflicting insert');
  if (user.password_hash !== null || (await hasOAuthAccount(db, user.id))) {
    throw new AppError(
      'NEXTAUTH_EMAIL_UNVERIFIED',
      'This account signs in with a password or a provider; the NextAuth token does not say its email is verified',
    );
  }
  return user;
}

async function resolve(deps: BridgeDeps, identity: NextAuthIdentity, meta: RequestMeta) {
  const proven = identity.emailVerified || deps.config.nextAuthTrustEmail;
  return deps.db.transaction().execute(async (trx) => {
    let user: User;
    if (proven) {
      const claim = await claimVerifiedMailbox(trx, deps, {
        email: identity.email,
        name: identity.name ?? null,
        imageUrl: identity.picture ?? null,
        via: 'nextauth',
        meta,
      });
      if (claim.created) await recordCreated(trx, claim.user, meta);
      user = claim.user;
    } else {
      user = await resolveUnproven(trx, identity, meta);
    }
    // Inside the transaction: a claim of a deactivated account must leave no trace.
    if (user.status !== 'active') {
      throw new AppError('UNAUTHENTICATED', 'This account was deactivated');
    }
    return user;
  });
}

/** The caller named by a NextAuth session token: resolved on first sight, then read by id. */
export async function authenticateNextAuth(
  deps: BridgeDeps,
  nextAuth: NextAuthTokens,
  token: string,
  meta: RequestMeta,
): Promise<Caller> {
  const identity = await nextAuth.decode(token);
  if (!identity) throw new AppError('UNAUTHENTICATED', 'The session token is invalid or expired');
  const knownId = nextAuth.resolvedUserId(token);
  if (knownId) {
    const user = await findUserById(deps.db, knownId);
    if (user?.status !== 'active') {
      throw new AppError('UNAUTHENTICATED', 'This account was deactivated');
    }
    return { user, sessionId: null };
  }
  const user = await resolve(deps, identity, meta);
  nextAuth.rememberUserId(token, user.id);
  return { user, sessionId: null };
}
