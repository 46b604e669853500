import type { Database, NewRefreshToken, NewSession } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';

type Db = Kysely<Database>;

export function insertSession(db: Db, session: NewSession) {
  return db.insertInto('sessions').values(session).returningAll().executeTakeFirstOrThrow();
}

export function insertRefreshToken(db: Db, token: NewRefreshToken) {
  return db.insertInto('refresh_tokens').values(token).returning(['id']).executeTakeFirstOrThrow();
}

/**
 * A presented refresh token with its family and its user (every `users` column; the token's
 * and session's under prefixed names), locking the token row and the session row. Locking
 * the token serialises two refreshes of the same token: the second sees the first's rotation
 * (READ COMMITTED re-reads a locked row once it is free). Locking the session serialises the
 * family, so a token and its successor are never rotated at once either.
 */
export function findRefreshTokenForUpdate(db: Db, tokenId: string) {
  return db
    .selectFrom('refresh_tokens')
    .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select([
      'refresh_tokens.id as token_id',
      'refresh_tokens.token_hash as token_hash',
      'refresh_tokens.expires_at as token_expires_at',
      'refresh_tokens.rotated_at as token_rotated_at',
      'refresh_tokens.successor_id as token_successor_id',
      'sessions.id as session_id',
      'sessions.created_at as session_created_at',
      'sessions.revoked_at as session_revoked_at',
    ])
    .where('refresh_tokens.id', '=', tokenId)
    .forUpdate(['refresh_tokens', 'sessions'])
    .executeTakeFirst();
}

/** A rotated token's successor, read under the session lock the caller holds. */
export function findSuccessor(db: Db, tokenId: string) {
  return db
    .selectFrom('refresh_tokens')
    .select(['id', 'token_hash', 'expires_at', 'rotated_at'])
    .where('id', '=', tokenId)
    .executeTakeFirst();
}

/**
 * Rotates `tokenId` and inserts its successor, in one statement: the successor exists only
 * if the rotation happened, and the family's one unrotated token changes hands atomically
 * (the unique index refresh_tokens_one_live_per_session). False if it was rotated already.
 */
export async function rotateRefreshToken(
  db: Db,
  args: { tokenId: string; successorId: string; hash: Buffer; at: Date; expiresAt: Date },
): Promise<boolean> {
  const inserted = await db
    .with('rotated', (qb) =>
      qb
        .updateTable('refresh_tokens')
        .set({ rotated_at: args.at, successor_id: args.successorId })
        .where('id', '=', args.tokenId)
        .where('rotated_at', 'is', null)
        .returning('session_id'),
    )
    .insertInto('refresh_tokens')
    .columns(['id', 'session_id', 'token_hash', 'created_at', 'expires_at'])
    .expression((eb) =>
      eb
        .selectFrom('rotated')
        .select([
          sql<string>`${args.successorId}::uuid`.as('id'),
          'rotated.session_id',
          sql<Buffer>`${args.hash}::bytea`.as('token_hash'),
          sql<Date>`${args.at}::timestamptz`.as('created_at'),
          sql<Date>`${args.expiresAt}::timestamptz`.as('expires_at'),
        ]),
    )
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
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
