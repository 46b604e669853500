/**
 * Overage mode `invoice`: operations beyond the plan's allowance are billed on the
 * subscription's next invoice at the plan's per-operation price, as one Stripe invoice item per
 * usage record (ADR 0011).
 *
 * Never lost, never doubled: the record (with what it owes) and the job that pushes it to
 * Stripe commit in one transaction, so a committed overage always has its push queued and a
 * rolled-back one never reaches Stripe. The push itself (push-overage-item.ts) is exactly once
 * per record however often it runs. The user's request never waits for Stripe, so Stripe being
 * down delays the item, not the answer.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { AppError } from '../errors/app-error';
import { enqueueJob } from '../jobs/queue';
import type { UsagePeriod } from './usage-period';

/** graphile-worker backs off e^min(attempt, 10) s: 25 tries span about four days. */
const PUSH_MAX_ATTEMPTS = 25;

export interface OverageTerms {
  quantity: number;
  cents: number;
  currency: string;
  subscriptionId: string;
}

/**
 * What `quantity` operations beyond the allowance owe. Without a subscription to bill (the
 * free plan, a lapsed one) or a price, there is no invoice to put them on: refused, nothing
 * recorded, rather than recorded and given away.
 */
export function overageTerms(
  period: UsagePeriod,
  quantity: number,
  counter: { used: number; included: number },
): OverageTerms {
  const details = { ...counter, plan: period.planCode, periodEnd: period.end.toISOString() };
  if (period.subscriptionId === null) {
    throw new AppError(
      'OVERAGE_INVOICE_UNAVAILABLE',
      `The ${period.planCode} plan bills overage on the invoice, but there is no subscription to invoice; nothing was recorded`,
      { details },
    );
  }
  if (period.overagePriceCents === null) {
    throw new AppError(
      'OVERAGE_INVOICE_UNAVAILABLE',
      `The ${period.planCode} plan bills overage on the invoice but has no overage price; nothing was recorded`,
      { details },
    );
  }
  return {
    quantity,
    cents: quantity * period.overagePriceCents,
    currency: period.currency,
    subscriptionId: period.subscriptionId,
  };
}

/** Queues the Stripe push of record `recordId`, in the transaction that wrote the record. */
export async function enqueueOveragePush(trx: Kysely<Database>, recordId: number): Promise<void> {
  await enqueueJob(
    trx,
    'usage_push_overage',
    { recordId: String(recordId) },
    { jobKey: `usage_push_overage:${recordId}`, maxAttempts: PUSH_MAX_ATTEMPTS },
  );
}
