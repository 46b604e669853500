import type { ApiKey, Database, NewApiKey } from '@tollbooth/db';
import type { Kysely } from 'kysely';

/** Every column but the digest: what listing and authentication need. */
const KEY_COLUMNS = [
  'id',
  'name',
  'lookup',
  'scopes',
  'created_by',
  'created_at',
  'first_used_at',
  'last_used_at',
  'revoked_at',
  'revoked_by',
] as const;

export type ApiKeyRow = Omit<ApiKey, 'key_hash'>;

export async function insertApiKey(db: Kysely<Database>, key: NewApiKey): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(key).returning(KEY_COLUMNS).executeTakeFirstOrThrow();
}

export async function listApiKeys(db: Kysely<Database>): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .select(KEY_COLUMNS)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/** Keys by lookup, many in one query (the keys of requests authenticating together). */
export async function findApiKeysByLookups(
  db: Kysely<Database>,
  lookups: string[],
): Promise<Map<string, ApiKey>> {
  const rows = await db.selectFrom('api_keys').selectAll().where('lookup', 'in', lookups).execute();
  return new Map(rows.map((row) => [row.lookup, row]));
}

/** Revokes a live key (`changed`); an already revoked one keeps its first revocation. */
export async function revokeApiKey(
  db: Kysely<Database>,
  args: { id: string; by: string; at: Date },
): Promise<{ row: ApiKeyRow; changed: boolean } | undefined> {
  const revoked = await db
    .updateTable('api_keys')
    .set({ revoked_at: args.at, revoked_by: args.by })
    .where('id', '=', args.id)
    .where('revoked_at', 'is', null)
    .returning(KEY_COLUMNS)
    .executeTakeFirst();
  if (revoked) return { row: revoked, changed: true };
  const existing = await db
    .selectFrom('api_keys')
    .select(KEY_COLUMNS)
    .where('id', '=', args.id)
    .executeTakeFirst();
  return existing && { row: existing, changed: false };
}

/** True for the one request that uses the key first (it writes the audit row). */
export async function markFirstUse(
  db: Kysely<Database>,
  args: { id: string; at: Date },
): Promise<boolean> {
  const row = await db
    .updateTable('api_keys')
    .set({ first_used_at: args.at, last_used_at: args.at })
    .where('id', '=', args.id)
    .where('first_used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Moves last_used_at forward, unless another request did so since `staleBefore`. */
export async function touchLastUsed(
  db: Kysely<Database>,
  args: { id: string; at: Date; staleBefore: Date },
): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: args.at })
    .where('id', '=', args.id)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', args.staleBefore)]),
    )
    .execute();
}
