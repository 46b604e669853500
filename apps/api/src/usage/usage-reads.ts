/** usage.list / get / stats: a user's own usage records, read from usage_records. */
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { findRecord, listRecords, type StatsRow, sumRecords } from './usage.queries';
import type { TListFilter, TStatsInput } from './usage.schemas';
import { toRecordView, type UsageRecordView } from './usage-view';

export interface UsagePage {
  items: UsageRecordView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export async function listUsage(
  deps: Pick<Deps, 'db'>,
  userId: string,
  filter: TListFilter,
): Promise<UsagePage> {
  const rows = await listRecords(deps.db, userId, filter);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(toRecordView),
    nextCursor: rows.length > filter.limit && last ? String(last.id) : null,
  };
}

export async function getUsage(
  deps: Pick<Deps, 'db'>,
  userId: string,
  id: string,
): Promise<UsageRecordView> {
  const row = await findRecord(deps.db, userId, Number(id));
  if (!row) throw new AppError('USAGE_NOT_FOUND', 'No usage record with that id for this user');
  return toRecordView(row);
}

export interface UsageStats {
  from: Date;
  to: Date;
  groupBy: 'day' | 'operation';
  /** One row per UTC day (`YYYY-MM-DD`) or per operation code that has records, in order. */
  groups: StatsRow[];
  totals: Omit<StatsRow, 'key'>;
}

export async function usageStats(
  deps: Pick<Deps, 'db'>,
  userId: string,
  input: TStatsInput,
): Promise<UsageStats> {
  const groups = await sumRecords(deps.db, { userId, ...input });
  const totals = {
    records: 0,
    quantity: 0,
    includedQuantity: 0,
    creditsSpent: 0,
    overageQuantity: 0,
    overageCents: 0,
  };
  for (const group of groups) {
    totals.records += group.records;
    totals.quantity += group.quantity;
    totals.includedQuantity += group.includedQuantity;
    totals.creditsSpent += group.creditsSpent;
    totals.overageQuantity += group.overageQuantity;
    totals.overageCents += group.overageCents;
  }
  return { from: input.from, to: input.to, groupBy: input.groupBy, groups, totals };
}
