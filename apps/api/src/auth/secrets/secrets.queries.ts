import type { Database, NewOneTimeSecret, OneTimeSecretPurpose } from '@tollbooth/db';
import { type Kysely, type QueryCreator, sql } from 'kysely';
import { normalizeEmail } from '../../lib/email';

type Db = Kysely<Database>;

export function insertOneTimeSecret(db: Db, secret: NewOneTimeSecret) {
  return db
    .insertInto('one_time_secrets')
    .values(secret)
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** A new secret replaces the pending ones of the same purpose and address. */
export async function retirePendingSecrets(
  db: Db,
  args: { email: string; purpose: OneTimeSecretPurpose; at: Date },
) {
  await db
    .updateTable('one_time_secrets')
    .set({ consumed_at: args.at })
    .where(sql<string>`lower(email)`, '=', normalizeEmail(args.email))
    .where('purpose', '=', args.purpose)
    .where('consumed_at', 'is', null)
    .execute();
}

interface ConsumeArgs {
  id: string;
  purpose: OneTimeSecretPurpose;
  /** SHA-256 of the presented secret. */
  hash: Buffer;
  at: Date;
}

/** The row a link token names, if unconsumed and matching: `consumed_at` set in the same statement. */
function consumeMatching(db: QueryCreator<Database>, args: ConsumeArgs) {
  return db
    .updateTable('one_time_secrets')
    .set({ consumed_at: args.at })
    .where('id', '=', args.id)
    .where('purpose', '=', args.purpose)
    .where('consumed_at', 'is', null)
    .where('secret_hash', '=', args.hash);
}

/**
 * Consumes a link token's row in one statement and returns it; undefined when it is unknown,
 * used or its secret does not match. The UPDATE locks the row: a concurrent redemption waits,
 * then finds `consumed_at` set (or, if this transaction rolls back, takes the row itself).
 */
export function consumeSecretMatching(db: Db, args: ConsumeArgs) {
  return consumeMatching(db, args).returningAll().executeTakeFirst();
}

/**
 * As consumeSecretMatching, and returns the secret's account (every `users` column, the
 * secret's own under `secret_*`), locked FOR UPDATE, from the same statement: redeem, lock
 * and read the user in one round trip. Undefined as well when the secret has no account.
 */
export function consumeSecretMatchingWithUser(db: Db, args: ConsumeArgs) {
  return db
    .with('consumed', (qc) =>
      consumeMatching(qc, args).returning(['id', 'email', 'user_id', 'expires_at', 'binding_hash']),
    )
    .selectFrom('consumed')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('users')
          .selectAll()
          .whereRef('users.id', '=', 'consumed.user_id')
          .forUpdate()
          .as('account'),
      (join) => join.onTrue(),
    )
    .selectAll('account')
    .select([
      'consumed.id as secret_id',
      'consumed.email as secret_email',
      'consumed.expires_at as secret_expires_at',
      'consumed.binding_hash as secret_binding_hash',
    ])
    .executeTakeFirst();
}

/** The newest unconsumed login code sent to an address, locked for the attempt. */
export function findPendingCodeForUpdate(db: Db, email: string) {
  return db
    .selectFrom('one_time_secrets')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', normalizeEmail(email))
    .where('purpose', '=', 'login_code')
    .where('consumed_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

export async function consumeSecret(db: Db, id: string, at: Date) {
  await db.updateTable('one_time_secrets').set({ consumed_at: at }).where('id', '=', id).execute();
}

/** Counts a wrong guess; kills the secret (consumes it) once `maxAttempts` is reached. */
export async function recordFailedAttempt(db: Db, id: string, maxAttempts: number, at: Date) {
  await db
    .updateTable('one_time_secrets')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      consumed_at: sql`CASE WHEN attempts + 1 >= ${maxAttempts} THEN ${at}::timestamptz ELSE consumed_at END`,
    }))
    .where('id', '=', id)
    .execute();
}

/** Housekeeping for the worker: secrets and rate-limit rows nobody can use any more. */
export async function deleteExpiredAuthRows(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('one_time_secrets').where('expires_at', '<', now).execute();
  await db.deleteFrom('rate_limits').where('expire', '<', now.getTime()).execute();
}
