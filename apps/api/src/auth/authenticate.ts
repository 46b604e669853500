import { looksLikeApiKey } from '../api-keys/api-key-secret';
import type { RequestMeta } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import type { Caller } from './account.service';
import { authenticateNextAuth } from './nextauth-bridge';
import { looksLikeJwe } from './tokens/nextauth-tokens';
import { findActiveUserForSession } from './users.queries';

const BEARER = /^Bearer\s+(\S+)$/i;

/** The token of an `Authorization: Bearer …` header, if it has one. */
export function bearerToken(authorization: string | null): string | undefined {
  return authorization ? BEARER.exec(authorization)?.[1] : undefined;
}

/**
 * Who is calling: verifies the bearer access token (cached after the first check, see
 * access-tokens.ts), then loads the user in one query that also proves the session is live.
 * With a NextAuth secret configured, a NextAuth/Auth.js session token (an encrypted JWE)
 * is accepted too: see nextauth-bridge.ts for which account it names and when.
 */
export async function authenticate(
  deps: Pick<Deps, 'db' | 'pool' | 'accessTokens' | 'nextAuthTokens' | 'config' | 'clock'>,
  authorization: string | null,
  meta: RequestMeta,
): Promise<Caller> {
  const token = bearerToken(authorization);
  if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in first: no access token was sent');
  // A server key is no JWT: say what is wrong instead of failing to parse it.
  if (looksLikeApiKey(token)) {
    throw new AppError(
      'UNAUTHENTICATED',
      "This procedure acts for a signed-in user: send the user's access token, not a server API key",
    );
  }
  if (deps.nextAuthTokens && looksLikeJwe(token)) {
    return authenticateNextAuth(deps, deps.nextAuthTokens, token, meta);
  }
  const claims = await deps.accessTokens.verify(token);
  const user = await findActiveUserForSession(deps.pool, claims.sub, claims.sid, deps.clock.now());
  if (!user) throw new AppError('UNAUTHENTICATED', 'The session has ended; sign in again');
  return { user, sessionId: claims.sid };
}
