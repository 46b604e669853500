import type { RequestMeta } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import type { Caller } from './account.service';
import { looksLikeJwe } from './tokens/nextauth-tokens';
import { findActiveUserForSession } from './users.queries';
import { claimVerifiedMailbox } from './verified-accounts';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Who is calling: verifies the bearer access token (cached after the first check, see
 * access-tokens.ts), then loads the user in one query that also proves the session is live.
 * With a NextAuth secret configured, a NextAuth/Auth.js session token (an encrypted JWE)
 * is accepted too (see nextauth-tokens.ts).
 */
export async function authenticate(
  deps: Pick<Deps, 'db' | 'pool' | 'accessTokens' | 'nextAuthTokens' | 'config' | 'clock'>,
  authorization: string | null,
  meta: RequestMeta,
): Promise<Caller> {
  const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
  if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in first: no access token was sent');
  if (deps.nextAuthTokens && looksLikeJwe(token)) {
    return authenticateNextAuth(deps, deps.nextAuthTokens, token, meta);
  }
  const claims = await deps.accessTokens.verify(token);
  const user = await findActiveUserForSession(deps.pool, claims.sub, claims.sid);
  if (!user) throw new AppError('UNAUTHENTICATED', 'The session has ended; sign in again');
  return { user, sessionId: claims.sid };
}

async function authenticateNextAuth(
  deps: Pick<Deps, 'db' | 'config' | 'clock'>,
  nextAuth: NonNullable<Deps['nextAuthTokens']>,
  token: string,
  meta: RequestMeta,
): Promise<Caller> {
  const identity = await nextAuth.decode(token);
  if (!identity) throw new AppError('UNAUTHENTICATED', 'The session token is invalid or expired');
  const { user } = await claimVerifiedMailbox(deps.db, deps, {
    email: identity.email,
    name: identity.name ?? null,
    imageUrl: identity.picture ?? null,
    via: 'nextauth',
    meta,
  });
  if (user.status !== 'active') {
    throw new AppError('UNAUTHENTICATED', 'This account was deactivated');
  }
  return { user, sessionId: null };
}
