import type { Database, NewRefreshToken, NewSession } from '@tollbooth/db';
import type { Kysely } from 'kysely';

type Db = Kysely<Database>;

export function insertSession(db: Db, session: NewSession) {
  return db.insertInto('sessions').values(session).returningAll().executeTakeFirstOrThrow();
}

export function insertRefreshToken(db: Db, token: NewRefreshToken) {
  return db.insertInto('refresh_tokens').values(token).returning(['id']).executeTakeFirstOrThrow();
}

/**
 * A presented refresh token with its family, locking the family row: rotations of one
 * family serialise, so two concurrent refreshes cannot both rotate the same token.
 */
export function findRefreshTokenForUpdate(db: Db, tokenId: string) {
  return db
    .selectFrom('refresh_tokens')
    .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'refresh_tokens.id',
      'refresh_tokens.token_hash',
      'refresh_tokens.expires_at',
      'refresh_tokens.rotated_at',
      'sessions.id as session_id',
      'sessions.revoked_at as session_revoked_at',
      'sessions.user_id',
      'users.status as user_status',
    ])
    .where('refresh_tokens.id', '=', tokenId)
    .forUpdate('sessions')
    .executeTakeFirst();
}

export async function markRefreshTokenRotated(db: Db, tokenId: string, at: Date) {
  await db
    .updateTable('refresh_tokens')
    .set({ rotated_at: at })
    .where('id', '=', tokenId)
    .where('rotated_at', 'is', null)
    .execute();
}

export async function touchSession(db: Db, sessionId: string, at: Date, expiresAt: Date) {
  await db
    .updateTable('sessions')
    .set({ last_used_at: at, expires_at: expiresAt })
    .where('id', '=', sessionId)
    .execute();
}

export async function revokeSession(
  db: Db,
  args: { sessionId: string; userId?: string; at: Date; reason: string },
): Promise<boolean> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: args.at, revoked_reason: args.reason })
    .where('id', '=', args.sessionId)
    .where('revoked_at', 'is', null);
  if (args.userId) query = query.where('user_id', '=', args.userId);
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Revokes every live session of a user, except `keepSessionId` when given; returns how many. */
export async function revokeUserSessions(
  db: Db,
  args: { userId: string; at: Date; reason: string; keepSessionId?: string | null },
): Promise<number> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: args.at, revoked_reason: args.reason })
    .where('user_id', '=', args.userId)
    .where('revoked_at', 'is', null);
  if (args.keepSessionId) query = query.where('id', '<>', args.keepSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function listLiveSessions(db: Db, userId: string, now: Date) {
  return db
    .selectFrom('sessions')
    .select(['id', 'method', 'ip', 'user_agent', 'created_at', 'last_used_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('last_used_at', 'desc')
    .execute();
}
