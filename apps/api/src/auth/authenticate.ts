import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import type { Caller } from './account.service';
import { findActiveUserForSession } from './users.queries';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Who is calling: verifies the bearer access token (cached after the first check, see
 * access-tokens.ts), then loads the user in one query that also proves the session is live.
 */
export async function authenticate(
  deps: Pick<Deps, 'db' | 'accessTokens'>,
  authorization: string | null,
): Promise<Caller> {
  const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
  if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in first: no access token was sent');
  const claims = await deps.accessTokens.verify(token);
  const user = await findActiveUserForSession(deps.db, claims.sub, claims.sid);
  if (!user) throw new AppError('UNAUTHENTICATED', 'The session has ended; sign in again');
  return { user, sessionId: claims.sid };
}
