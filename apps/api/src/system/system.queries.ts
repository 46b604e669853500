import type { Database } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';

/** One round trip that proves the database answers queries, not only accepts connections. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
