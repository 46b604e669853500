import type { CreditEntry, CreditEntryKind, Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';

export interface HistoryQuery {
  userId: string;
  limit: number;
  /** Entries older than this id (the previous page's last). */
  beforeId: number | undefined;
  kinds: CreditEntryKind[] | undefined;
  from: Date | undefined;
  to: Date | undefined;
}

/** Newest first, by id (the order the account's changes happened in). */
export async function listEntries(
  db: Kysely<Database>,
  query: HistoryQuery,
): Promise<CreditEntry[]> {
  let select = db
    .selectFrom('credit_ledger')
    .selectAll()
    .where('user_id', '=', query.userId)
    .orderBy('id', 'desc')
    .limit(query.limit);
  if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
  if (query.kinds) select = select.where('kind', 'in', query.kinds);
  if (query.from) select = select.where('created_at', '>=', query.from);
  if (query.to) select = select.where('created_at', '<', query.to);
  return select.execute();
}
