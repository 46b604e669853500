import type { Database, NewUser, User, UserUpdate } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { normalizeEmail } from '../lib/email';

type Db = Kysely<Database>;

export function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', normalizeEmail(email))
    .executeTakeFirst();
}

export function findUserById(db: Db, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Users by id, for many ids in one query (a malformed id is no user). */
export async function findUsersByIds(db: Db, ids: string[]): Promise<Map<string, User>> {
  const wellFormed = ids.filter((id) => UUID.test(id));
  if (wellFormed.length === 0) return new Map();
  const rows = await db.selectFrom('users').selectAll().where('id', 'in', wellFormed).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Locks the row: callers that check then change a user (password, status) serialise. */
export function findUserByIdForUpdate(db: Db, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Inserts unless the email is taken (case-insensitively); undefined when it was. Never
 * raises on the race of two registrations of one email: the unique index decides.
 */
export function insertUser(db: Db, user: NewUser): Promise<User | undefined> {
  return db
    .insertInto('users')
    .values({ ...user, email: normalizeEmail(user.email) })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function updateUser(db: Db, id: string, changes: UserUpdate): Promise<User | undefined> {
  return db
    .updateTable('users')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Promotes by email; false when no such account. */
export async function setUserRole(db: Db, email: string, role: 'user' | 'admin') {
  const result = await db
    .updateTable('users')
    .set({ role })
    .where(sql<string>`lower(email)`, '=', normalizeEmail(email))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * The one round trip of an authenticated request: the caller's user row, provided the
 * session named by the access token is still live (not revoked, not past its end) and the
 * account active. Revoking a session, or reaching its end (SESSION_MAX_AGE_DAYS), therefore
 * takes effect at once, not when its access token expires. `now` is the app's clock.
 *
 * Hand-written SQL as a named prepared statement, not Kysely: it runs on every
 * authenticated request, and a named statement is parsed and planned once per connection
 * (by PostgreSQL, on the same two cores) instead of compiled and planned per call.
 */
export async function findActiveUserForSession(
  pool: pg.Pool,
  userId: string,
  sessionId: string,
  now: Date,
): Promise<User | undefined> {
  const result = await pool.query<User>({
    name: 'auth_active_user_for_session',
    text: `SELECT users.* FROM users
           JOIN sessions ON sessions.user_id = users.id
           WHERE users.id = $1 AND users.status = 'active'
             AND sessions.id = $2 AND sessions.revoked_at IS NULL
             AND sessions.expires_at > $3`,
    values: [userId, sessionId, now],
  });
  return result.rows[0];
}

/** Whether the account signs in through an OAuth provider (the NextAuth bridge spares those). */
export async function hasOAuthAccount(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('oauth_accounts')
    .select('user_id')
    .where('user_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export function findOAuthAccount(db: Db, provider: string, providerAccountId: string) {
  return db
    .selectFrom('oauth_accounts')
    .selectAll()
    .where('provider', '=', provider)
    .where('provider_account_id', '=', providerAccountId)
    .executeTakeFirst();
}

export async function linkOAuthAccount(
  db: Db,
  link: { provider: string; providerAccountId: string; userId: string },
): Promise<void> {
  await db
    .insertInto('oauth_accounts')
    .values({
      provider: link.provider,
      provider_account_id: link.providerAccountId,
      user_id: link.userId,
    })
    .onConflict((oc) => oc.columns(['provider', 'provider_account_id']).doNothing())
    .execute();
}
