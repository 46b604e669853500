import type { Database, PendingRegistration } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import { normalizeEmail } from '../../lib/email';

type Db = Kysely<Database>;

/**
 * Serialises registrations of one address until the caller's transaction ends, so that of two
 * concurrent ones exactly one pending registration survives (the later one).
 */
export async function lockRegistrationsOf(db: Db, email: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`registration:${normalizeEmail(email)}`}, 0))`.execute(
    db,
  );
}

/**
 * Forgets every pending registration of an address: their password hashes are deleted and
 * their secrets consumed, so none of their links works any more.
 */
export async function discardPendingRegistrations(
  db: Db,
  args: { email: string; at: Date },
): Promise<void> {
  const secrets = db
    .selectFrom('one_time_secrets')
    .select('id')
    .where(sql<string>`lower(email)`, '=', normalizeEmail(args.email))
    .where('purpose', '=', 'email_verification')
    .where('user_id', 'is', null);
  await db.deleteFrom('pending_registrations').where('secret_id', 'in', secrets).execute();
  await db
    .updateTable('one_time_secrets')
    .set({ consumed_at: args.at })
    .where('id', 'in', secrets)
    .where('consumed_at', 'is', null)
    .execute();
}

export async function insertPendingRegistration(
  db: Db,
  row: { secretId: string; passwordHash: string; name: string | null },
): Promise<void> {
  await db
    .insertInto('pending_registrations')
    .values({ secret_id: row.secretId, password_hash: row.passwordHash, name: row.name })
    .execute();
}

/**
 * Gives the pending registration `secretId` a new secret hash, provided it is still waiting
 * (not consumed, not expired) and addressed to `email`; false when it is not.
 */
export async function rekeyPendingRegistration(
  db: Db,
  args: { secretId: string; email: string; secretHash: Buffer; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('one_time_secrets')
    .set({ secret_hash: args.secretHash })
    .where('id', '=', args.secretId)
    .where(sql<string>`lower(email)`, '=', normalizeEmail(args.email))
    .where('purpose', '=', 'email_verification')
    .where('user_id', 'is', null)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', args.now)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('pending_registrations')
          .select('secret_id')
          .where('secret_id', '=', args.secretId),
      ),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Removes and returns the registration waiting on `secretId` (its link was just redeemed). */
export function takePendingRegistration(
  db: Db,
  secretId: string,
): Promise<PendingRegistration | undefined> {
  return db
    .deleteFrom('pending_registrations')
    .where('secret_id', '=', secretId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * The password hash waiting on a live registration link (id and SHA-256 of its secret), and
 * the address it was sent to; undefined for any other token. Reads only: the link stays
 * usable until verifyEmail redeems it.
 */
export function findPendingRegistrationByToken(
  db: Db,
  args: { id: string; hash: Buffer; now: Date },
): Promise<{ email: string; password_hash: string } | undefined> {
  return db
    .selectFrom('one_time_secrets')
    .innerJoin('pending_registrations', 'pending_registrations.secret_id', 'one_time_secrets.id')
    .select(['one_time_secrets.email', 'pending_registrations.password_hash'])
    .where('one_time_secrets.id', '=', args.id)
    .where('one_time_secrets.purpose', '=', 'email_verification')
    .where('one_time_secrets.user_id', 'is', null)
    .where('one_time_secrets.consumed_at', 'is', null)
    .where('one_time_secrets.expires_at', '>', args.now)
    .where('one_time_secrets.secret_hash', '=', args.hash)
    .executeTakeFirst();
}
