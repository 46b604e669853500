/** credits.balance and credits.history: an account's balance and its ledger, newest first. */
import type { Deps } from '../../deps';
import type { THistoryInput } from '../credits.schemas';
import { type LedgerEntryView, toEntryView } from '../ledger/entry-view';
import { findBalance } from '../ledger/ledger.queries';
import { listEntries } from './history.queries';

export async function getBalance(
  deps: Pick<Deps, 'db'>,
  userId: string,
): Promise<{ userId: string; balance: number }> {
  return { userId, balance: await findBalance(deps.db, userId) };
}

export interface HistoryPage {
  entries: LedgerEntryView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export async function getHistory(
  deps: Pick<Deps, 'db'>,
  userId: string,
  input: THistoryInput,
): Promise<HistoryPage> {
  // One row more than asked tells whether another page exists.
  const rows = await listEntries(deps.db, {
    userId,
    limit: input.limit + 1,
    beforeId: input.cursor,
    kinds: input.kinds,
    from: input.from,
    to: input.to,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    entries: page.map(toEntryView),
    nextCursor: rows.length > input.limit && last ? String(last.id) : null,
  };
}
