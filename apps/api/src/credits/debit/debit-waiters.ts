/** The debits waiting for a transaction, in the lane (debit-lane.ts) and per account. */
import type { DebitRequest } from './debit';
import type { DebitOutcome } from './debit-batch';

/** Bounds one transaction's length (and so its row locks' hold) under a flood. */
export const MAX_BATCH = 100;

export interface Waiter {
  request: DebitRequest;
  settle(outcome: DebitOutcome): void;
}

/** Takes up to MAX_BATCH waiters with distinct keys off the queue, in arrival order. */
export function takeBatch(waiting: Waiter[]): Waiter[] {
  const keys = new Set<string>();
  const batch: Waiter[] = [];
  for (let i = 0; i < waiting.length && batch.length < MAX_BATCH; ) {
    const waiter = waiting[i];
    if (waiter && !keys.has(waiter.request.idempotencyKey)) {
      keys.add(waiter.request.idempotencyKey);
      batch.push(waiter);
      waiting.splice(i, 1);
    } else i++;
  }
  return batch;
}
