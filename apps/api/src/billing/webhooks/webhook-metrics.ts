/**
 * The webhook's counters. A type is a label only if we handle it: the body's type is chosen
 * by whoever signs it, and every distinct label value is a new time series.
 */
import type { Metrics, StripeEventOutcome } from '../../metrics/metrics';
import { handlerFor } from '../stripe-events/handlers';

export function countStripeEvent(
  metrics: Pick<Metrics, 'countStripeEvent'>,
  type: string | null,
  outcome: StripeEventOutcome,
): void {
  const label = type === null ? 'unverified' : handlerFor(type) ? type : 'other';
  metrics.countStripeEvent({ type: label, outcome });
}
