import type { Database, NewOneTimeSecret, OneTimeSecretPurpose } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
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

export function findSecretForUpdate(db: Db, id: string, purpose: OneTimeSecretPurpose) {
  return db
    .selectFrom('one_time_secrets')
    .selectAll()
    .where('id', '=', id)
    .where('purpose', '=', purpose)
    .forUpdate()
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
