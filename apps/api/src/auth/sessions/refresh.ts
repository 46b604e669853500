/**
 * Refresh: rotates a refresh token inside its family, hands a rotated token its successor
 * back inside the grace window, and detects reuse. See tokens/refresh-tokens.ts for the
 * security model.
 */
import { randomUUID } from 'node:crypto';
import { type RequestMeta, recordAuditEvent } from '../../audit/audit';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { constantTimeEqual } from '../../lib/hash';
import { toPublicUser } from '../public-user';
import { enforceRateLimits } from '../rate-limit/enforce';
import { ipSubject } from '../rate-limit/ip-subject';
import {
  formatRefreshToken,
  parseRefreshToken,
  refreshSecretMatches,
  refreshTokenExpiry,
  sessionEnd,
  successorSecret,
  withinRotationGrace,
} from '../tokens/refresh-tokens';
import {
  findRefreshTokenForUpdate,
  findSuccessor,
  revokeSession,
  rotateRefreshToken,
  touchSession,
} from './sessions.queries';
import { type AuthResult, type SessionDeps, tokenPair } from './sign-in';

type RefreshDeps = SessionDeps & Pick<Deps, 'rateLimiter' | 'serverKeys'>;

type RefreshOutcome =
  | { kind: 'rotated'; result: AuthResult }
  | { kind: 'invalid' }
  | { kind: 'expired' }
  | { kind: 'reused'; userId: string; sessionId: string };

const INVALID: RefreshOutcome = { kind: 'invalid' };

/**
 * Rotates a refresh token. A reuse that revokes the family must commit even though the call
 * fails, so the decision is made in one transaction and the error thrown after it.
 */
export async function refreshSession(
  deps: RefreshDeps,
  args: { refreshToken: string; meta: RequestMeta },
): Promise<AuthResult> {
  await enforceRateLimits(deps, args.meta, [['refresh.ip', ipSubject(args.meta.ip)]]);
  const parsed = parseRefreshToken(args.refreshToken);
  if (!parsed) throw new AppError('INVALID_REFRESH_TOKEN', 'Sign in again');
  const now = deps.clock.now();

  const outcome = await deps.db
    .transaction()
    .execute((trx) => decide(trx, deps, { presented: parsed, now }));

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
  if (outcome.kind === 'expired') {
    throw new AppError(
      'SESSION_EXPIRED',
      'This session has reached its maximum age; sign in again',
    );
  }
  throw new AppError('INVALID_REFRESH_TOKEN', 'Sign in again');
}

async function decide(
  trx: Deps['db'],
  deps: RefreshDeps,
  args: { presented: { id: string; secret: string }; now: Date },
): Promise<RefreshOutcome> {
  const { presented, now } = args;
  const row = await findRefreshTokenForUpdate(trx, presented.id);
  if (!row || !refreshSecretMatches(presented.secret, row.token_hash)) return INVALID;
  const {
    token_id: _tokenId,
    token_hash: _tokenHash,
    token_expires_at: tokenExpiresAt,
    token_rotated_at: rotatedAt,
    token_successor_id: successorId,
    session_id: sessionId,
    session_created_at: sessionCreatedAt,
    session_revoked_at: sessionRevokedAt,
    ...user
  } = row;
  if (sessionRevokedAt || user.status !== 'active') return INVALID;
  // Past the absolute lifetime: end the session (committed although the call fails).
  const end = sessionEnd(sessionCreatedAt, deps.config.sessionMaxAgeDays);
  if (end <= now) {
    await revokeSession(trx, { sessionId, at: now, reason: 'max_age' });
    return { kind: 'expired' };
  }
  if (tokenExpiresAt <= now) return INVALID;
  const successor = successorSecret(deps.serverKeys.refreshSuccessor, presented);
  const answer = async (refresh: { token: string; expiresAt: Date }): Promise<RefreshOutcome> => ({
    kind: 'rotated',
    result: { user: toPublicUser(user), ...(await tokenPair(deps, user, sessionId, refresh)) },
  });

  if (!rotatedAt) {
    const newId = randomUUID();
    const expiresAt = refreshTokenExpiry(now, end);
    const rotated = await rotateRefreshToken(trx, {
      tokenId: presented.id,
      successorId: newId,
      hash: successor.hash,
      at: now,
      expiresAt,
    });
    // Cannot happen under the row lock; refuse rather than fork if it ever does.
    if (!rotated) return INVALID;
    await touchSession(trx, sessionId, now, expiresAt);
    return answer({ token: formatRefreshToken(newId, successor.secret), expiresAt });
  }

  // A rotated token is back. Inside the window, with its successor unused: the same successor.
  const reused: RefreshOutcome = { kind: 'reused', userId: user.id, sessionId };
  if (!withinRotationGrace(rotatedAt, now)) return revokeForReuse(trx, reused, now);
  const next = successorId ? await findSuccessor(trx, successorId) : undefined;
  if (next?.rotated_at) return revokeForReuse(trx, reused, now);
  // No successor on record (rotated before migration 0004) or one derived under another
  // server key: nothing to hand back, and no sign of theft either.
  if (!next || !constantTimeEqual(successor.hash, next.token_hash)) return INVALID;
  return answer({
    token: formatRefreshToken(next.id, successor.secret),
    expiresAt: next.expires_at,
  });
}

async function revokeForReuse(
  trx: Deps['db'],
  reused: Extract<RefreshOutcome, { kind: 'reused' }>,
  now: Date,
): Promise<RefreshOutcome> {
  await revokeSession(trx, { sessionId: reused.sessionId, at: now, reason: 'reuse_detected' });
  return reused;
}
