/** What callers see of usage records; a replay's answer is computed from the stored record. */
import type { UsageRecord } from '@tollbooth/db';
import type { EntryMetadata } from '../credits/ledger/entry-view';

export type UsageOutcomeKind = 'included' | 'credits' | 'overage';

export interface UsageRecordView {
  id: string;
  userId: string;
  operation: string;
  quantity: number;
  /**
   * `included`: the plan's allowance covered all of it; `credits`: credits paid for the rest;
   * `overage`: the rest is billed on the subscription's next invoice.
   */
  outcome: UsageOutcomeKind;
  includedQuantity: number;
  creditsSpent: number;
  /**
   * What the subscription's next invoice bills for this record: `quantity` operations, `cents`
   * in all. Whether Stripe holds the item yet is not part of the answer, so a replay answers
   * the first answer as it was.
   */
  overage: { quantity: number; cents: number; currency: string } | null;
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
    overage:
      row.outcome === 'overage' && row.overage_currency !== null
        ? {
            quantity: row.overage_quantity,
            cents: row.overage_cents,
            currency: row.overage_currency,
          }
        : null,
    idempotencyKey: row.idempotency_key,
    period: { start: row.period_start, end: row.period_end },
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}
