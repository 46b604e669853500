// Billing period arithmetic, anchored like Stripe's: a monthly subscription anchored on Jan 31
// renews Feb 28 (29), Mar 31, Apr 30 — each boundary is computed from the anchor, never from the
// previous boundary, so a short month does not drag later periods earlier.
import type Stripe from 'stripe';
import { SECONDS_PER_DAY } from '../clock.ts';

type Recurring = Pick<Stripe.Price.Recurring, 'interval' | 'interval_count'>;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The n-th period boundary after `anchor` (n = 0 is the anchor itself). */
export function boundary(anchor: number, recurring: Recurring, n: number): number {
  const count = recurring.interval_count * n;
  switch (recurring.interval) {
    case 'day':
      return anchor + count * SECONDS_PER_DAY;
    case 'week':
      return anchor + count * 7 * SECONDS_PER_DAY;
    default: {
      const months = recurring.interval === 'year' ? count * 12 : count;
      const date = new Date(anchor * 1000);
      const monthIndex = date.getUTCMonth() + months;
      const year = date.getUTCFullYear() + Math.floor(monthIndex / 12);
      const month = ((monthIndex % 12) + 12) % 12;
      const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
      const shifted = Date.UTC(
        year,
        month,
        day,
        date.getUTCHours(),
        date.getUTCMinutes(),
        date.getUTCSeconds(),
      );
      return Math.floor(shifted / 1000);
    }
  }
}

/** The first boundary strictly after `after`: the end of the period containing `after`. */
export function nextBoundary(anchor: number, recurring: Recurring, after: number): number {
  for (let n = 0; ; n++) {
    const candidate = boundary(anchor, recurring, n);
    if (candidate > after) return candidate;
  }
}

/** Share of the period [start, end) left at `at`, as Stripe prorates: by the second. */
export function remainingFraction(start: number, end: number, at: number): number {
  if (end <= start) return 0;
  return Math.min(1, Math.max(0, (end - at) / (end - start)));
}
