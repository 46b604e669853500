/**
 * Signing in: a user who just proved who they are gets a new session (a refresh-token family)
 * and its first token pair, with the sign-in recorded in the audit log. Every way in
 * (password, registration, code, magic link, OAuth) ends here. See tokens/refresh-tokens.ts
 * for the security model of the refresh token.
 */
import type { Database, User } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { type RequestMeta, recordAuditEvent } from '../../audit/audit';
import type { Deps } from '../../deps';
import { type PublicUser, toPublicUser } from '../public-user';
import {
  formatRefreshToken,
  newRefreshSecret,
  refreshTokenExpiry,
  sessionEnd,
} from '../tokens/refresh-tokens';
import { insertRefreshToken, insertSession } from './sessions.queries';

type Db = Kysely<Database>;
export type SessionDeps = Pick<Deps, 'db' | 'clock' | 'random' | 'accessTokens' | 'config'>;

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

/** The first refresh token of a new family: random (its successors are derived). */
async function issueFirstRefreshToken(
  db: Db,
  deps: SessionDeps,
  session: { id: string; expires_at: Date },
  now: Date,
) {
  const { secret, hash } = newRefreshSecret(deps.random);
  const expiresAt = session.expires_at;
  const row = await insertRefreshToken(db, {
    session_id: session.id,
    token_hash: hash,
    created_at: now,
    expires_at: expiresAt,
  });
  return { token: formatRefreshToken(row.id, secret), expiresAt };
}

/** A fresh access token for the session, paired with the refresh token the caller holds. */
export async function tokenPair(
  deps: Pick<SessionDeps, 'accessTokens'>,
  user: User,
  sessionId: string,
  refresh: { token: string; expiresAt: Date },
): Promise<IssuedTokens> {
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
    expires_at: refreshTokenExpiry(now, sessionEnd(now, deps.config.sessionMaxAgeDays)),
  });
  const refresh = await issueFirstRefreshToken(db, deps, session, now);
  const tokens = await tokenPair(deps, args.user, session.id, refresh);
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
