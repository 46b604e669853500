/**
 * Refresh: rotates a refresh token inside its family and detects reuse. See
 * tokens/refresh-tokens.ts for the security model.
 */
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { toPublicUser } from './public-user';
import { enforceRateLimits } from './rate-limit/enforce';
import { ipSubject } from './rate-limit/postgres-limiter';
import {
  findRefreshTokenForUpdate,
  markRefreshTokenRotated,
  revokeSession,
  touchSession,
} from './sessions.queries';
import { type AuthResult, issueTokens, type SessionDeps } from './sign-in';
import {
  parseRefreshToken,
  refreshSecretMatches,
  refreshTokenExpiry,
  withinRotationGrace,
} from './tokens/refresh-tokens';
import { findUserById } from './users.queries';

type RefreshOutcome =
  | { kind: 'rotated'; result: AuthResult }
  | { kind: 'invalid' }
  | { kind: 'reused'; userId: string; sessionId: string };

/**
 * Rotates a refresh token. Reuse of a rotated token outside the grace window revokes the
 * family; that revocation must commit even though the call fails, so the decision is made in
 * one transaction and the error thrown after it.
 */
export async function refreshSession(
  deps: SessionDeps & Pick<Deps, 'rateLimiter'>,
  args: { refreshToken: string; meta: RequestMeta },
): Promise<AuthResult> {
  await enforceRateLimits(deps, args.meta, [['refresh.ip', ipSubject(args.meta.ip)]]);
  const parsed = parseRefreshToken(args.refreshToken);
  if (!parsed) throw new AppError('INVALID_REFRESH_TOKEN', 'Sign in again');
  const now = deps.clock.now();

  const outcome = await deps.db.transaction().execute(async (trx): Promise<RefreshOutcome> => {
    const row = await findRefreshTokenForUpdate(trx, parsed.id);
    if (!row || !refreshSecretMatches(parsed.secret, row.token_hash)) return { kind: 'invalid' };
    if (row.session_revoked_at || row.user_status !== 'active' || row.expires_at <= now) {
      return { kind: 'invalid' };
    }
    if (row.rotated_at && !withinRotationGrace(row.rotated_at, now)) {
      await revokeSession(trx, { sessionId: row.session_id, at: now, reason: 'reuse_detected' });
      return { kind: 'reused', userId: row.user_id, sessionId: row.session_id };
    }
    const user = await findUserById(trx, row.user_id);
    if (!user) return { kind: 'invalid' };
    if (!row.rotated_at) await markRefreshTokenRotated(trx, row.id, now);
    await touchSession(trx, row.session_id, now, refreshTokenExpiry(now));
    const tokens = await issueTokens(trx, deps, user, row.session_id, now);
    return { kind: 'rotated', result: { user: toPublicUser(user), ...tokens } };
  });

  if (outcome.kind === 'rotated') return outcome.result;
  if (outcome.kind === 'reused') {
    await recordAuditEvent(deps.db, {
      event: 'auth.refresh_reuse_detected',
      status: 'failure',
      userId: outcome.userId,
      meta: args.meta,
      metadata: { sessionId: outcome.sessionId },
    });
    throw new AppError(
      'REFRESH_TOKEN_REUSED',
      'This refresh token was already used; the session was signed out for safety',
    );
  }
  throw new AppError('INVALID_REFRESH_TOKEN', 'Sign in again');
}
