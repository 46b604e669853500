/**
 * Sessions: a login starts a refresh-token family, `refresh` rotates inside it, logout and
 * reuse detection end it. See refresh-tokens.ts for the security model.
 */
import type { Database, User } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { enforceRateLimits } from './limits';
import { type PublicUser, toPublicUser } from './public-user';
import { ipSubject } from './rate-limiter';
import {
  formatRefreshToken,
  newRefreshSecret,
  parseRefreshToken,
  refreshSecretMatches,
  refreshTokenExpiry,
  withinRotationGrace,
} from './refresh-tokens';
import {
  findRefreshTokenForUpdate,
  insertRefreshToken,
  insertSession,
  listLiveSessions,
  markRefreshTokenRotated,
  revokeSession,
  revokeUserSessions,
  touchSession,
} from './sessions.queries';
import { findUserById } from './users.queries';

type Db = Kysely<Database>;
export type SessionDeps = Pick<Deps, 'db' | 'clock' | 'random' | 'accessTokens'>;

export interface IssuedTokens {
  accessToken: string;
  /** ISO 8601. */
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  sessionId: string;
}

export interface AuthResult extends IssuedTokens {
  user: PublicUser;
}

/** How a session started; shown in sessions.list. */
export type SignInMethod = 'password' | 'register' | 'code' | 'magic_link' | 'oauth';

const MAX_IP_LENGTH = 64;
const MAX_USER_AGENT_LENGTH = 512;

async function issueRefreshToken(db: Db, deps: SessionDeps, sessionId: string, now: Date) {
  const { secret, hash } = newRefreshSecret(deps.random);
  const expiresAt = refreshTokenExpiry(now);
  const row = await insertRefreshToken(db, {
    session_id: sessionId,
    token_hash: hash,
    created_at: now,
    expires_at: expiresAt,
  });
  return { token: formatRefreshToken(row.id, secret), expiresAt };
}

async function issueTokens(
  db: Db,
  deps: SessionDeps,
  user: User,
  sessionId: string,
  now: Date,
): Promise<IssuedTokens> {
  const refresh = await issueRefreshToken(db, deps, sessionId, now);
  const access = await deps.accessTokens.sign({
    sub: user.id,
    email: user.email,
    role: user.role,
    sid: sessionId,
  });
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
    sessionId,
  };
}

/** Starts a new family for a user who just proved who they are. Runs in the caller's trx. */
export async function startSession(
  db: Db,
  deps: SessionDeps,
  args: { user: User; method: SignInMethod; meta: RequestMeta },
): Promise<AuthResult> {
  const now = deps.clock.now();
  const session = await insertSession(db, {
    user_id: args.user.id,
    method: args.method,
    ip: args.meta.ip?.slice(0, MAX_IP_LENGTH) ?? null,
    user_agent: args.meta.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    created_at: now,
    last_used_at: now,
    expires_at: refreshTokenExpiry(now),
  });
  const tokens = await issueTokens(db, deps, args.user, session.id, now);
  return { user: toPublicUser(args.user), ...tokens };
}

/**
 * Starts a session for someone who just proved who they are and records the sign-in in the
 * audit log, in the caller's transaction: every way in (password, code, link, OAuth,
 * registration) leaves the same trail.
 */
export async function signIn(
  db: Db,
  deps: SessionDeps,
  args: {
    user: User;
    method: SignInMethod;
    meta: RequestMeta;
    event?: 'auth.login' | 'auth.register';
  },
): Promise<AuthResult> {
  const result = await startSession(db, deps, args);
  await recordAuditEvent(db, {
    event: args.event ?? 'auth.login',
    status: 'success',
    userId: args.user.id,
    meta: args.meta,
    metadata: { method: args.method, sessionId: result.sessionId },
  });
  return result;
}

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

export async function endSession(
  deps: Pick<Deps, 'db' | 'clock'>,
  args: { userId: string; sessionId: string; meta: RequestMeta },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await revokeSession(trx, {
      sessionId: args.sessionId,
      userId: args.userId,
      at: deps.clock.now(),
      reason: 'logout',
    });
    await recordAuditEvent(trx, {
      event: 'auth.logout',
      status: 'success',
      userId: args.userId,
      meta: args.meta,
      metadata: { sessionId: args.sessionId },
    });
  });
}

export interface SessionView {
  id: string;
  method: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

export async function listSessions(
  deps: Pick<Deps, 'db' | 'clock'>,
  args: { userId: string; currentSessionId: string | null },
): Promise<SessionView[]> {
  const rows = await listLiveSessions(deps.db, args.userId, deps.clock.now());
  return rows.map((row) => ({
    id: row.id,
    method: row.method,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at.toISOString(),
    current: row.id === args.currentSessionId,
  }));
}

/** Revokes one session of the caller's, or all but the current one; returns how many. */
export async function revokeSessions(
  deps: Pick<Deps, 'db' | 'clock'>,
  args: {
    userId: string;
    currentSessionId: string | null;
    target: { sessionId: string } | { allButCurrent: true };
    meta: RequestMeta;
  },
): Promise<{ revoked: number }> {
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const revoked =
      'sessionId' in args.target
        ? Number(
            await revokeSession(trx, {
              sessionId: args.target.sessionId,
              userId: args.userId,
              at,
              reason: 'revoked_by_user',
            }),
          )
        : await revokeUserSessions(trx, {
            userId: args.userId,
            at,
            reason: 'revoked_by_user',
            keepSessionId: args.currentSessionId,
          });
    await recordAuditEvent(trx, {
      event: 'auth.sessions_revoked',
      status: 'success',
      userId: args.userId,
      meta: args.meta,
      metadata: { revoked, scope: 'sessionId' in args.target ? 'one' : 'others' },
    });
    return { revoked };
  });
}
