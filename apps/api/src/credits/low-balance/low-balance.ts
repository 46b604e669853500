/**
 * Low balance: when a change takes an account's balance from at least CREDITS_LOW_THRESHOLD
 * to below it, the transaction of that change also writes one `credits.low` domain event and
 * queues one mail. A crossing is a property of a single entry (its balance before and after),
 * and entries of one account are serialised by the balance row's lock, so exactly one debit
 * crosses per fall below the threshold: later debits start below it and cross nothing, until
 * a credit lifts the balance back up and a debit crosses again. No flag to keep in step.
 */
import type { CreditEntry, Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { enqueueJob } from '../../jobs/queue';

export const CREDITS_LOW = 'credits.low';

export interface CreditsLowPayload {
  userId: string;
  balance: number;
  threshold: number;
}

/** Whether this entry took the balance from `threshold` or more to below it. */
export function crossesLowThreshold(entry: CreditEntry, threshold: number): boolean {
  const before = entry.balance_after - entry.delta;
  return before >= threshold && entry.balance_after < threshold;
}

/** Call in the transaction that wrote `entry`; does nothing unless it crossed. */
export async function noteLowBalance(
  trx: Kysely<Database>,
  entry: CreditEntry,
  threshold: number,
): Promise<void> {
  if (!crossesLowThreshold(entry, threshold)) return;
  const payload: CreditsLowPayload = {
    userId: entry.user_id,
    balance: entry.balance_after,
    threshold,
  };
  await trx
    .insertInto('domain_events')
    .values({
      type: CREDITS_LOW,
      user_id: entry.user_id,
      payload: { ...payload, entryId: String(entry.id) },
    })
    .execute();
  await enqueueJob(trx, 'send_credits_low_mail', payload);
}
