/** What callers see of usage records; a replay's answer is computed from the stored record. */
import type { UsageRecord } from '@tollbooth/db';
import type { EntryMetadata } from '../credits/ledger/entry-view';

export type UsageOutcomeKind = 'included' | 'credits';

export interface UsageRecordView {
  id: string;
  userId: string;
  operation: string;
  quantity: number;
  /** `included`: the plan's allowance covered all of it; `credits`: credits paid for the rest. */
  outcome: UsageOutcomeKind;
  includedQuantity: number;
  creditsSpent: number;
  idempotencyKey: string;
  period: { start: Date; end: Date };
  metadata: EntryMetadata;
  createdAt: Date;
}

export function toRecordView(row: UsageRecord): UsageRecordView {
  return {
    id: String(row.id),
    userId: row.user_id,
    operation: row.operation,
    quantity: row.quantity,
    outcome: row.outcome,
    includedQuantity: row.included_quantity,
    creditsSpent: row.credits_spent,
    idempotencyKey: row.idempotency_key,
    period: { start: row.period_start, end: row.period_end },
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}
