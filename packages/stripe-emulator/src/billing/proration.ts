// Prorations as Stripe computes them for a mid-period change: a credit for the unused share of
// the old price and a charge for the remaining share of the new one, both by the second and
// rounded to the nearest cent. Upgrading halfway through a $10 → $30 month yields −$5.00 and
// +$15.00: the customer pays the $10 difference for the half month left.
import type Stripe from 'stripe';
import type { EmulatorContext } from '../context.ts';
import type { PendingInvoiceLine } from '../store.ts';
import { describeItem, productName } from './invoicing.ts';
import { remainingFraction } from './periods.ts';

export interface ItemState {
  subscriptionItem: string;
  price: Stripe.Price;
  quantity: number;
}

function formatDate(timestamp: number): string {
  return new Date(timestamp * 1000).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

export function prorationLine(
  ctx: EmulatorContext,
  item: ItemState,
  period: { start: number; end: number },
  at: number,
  direction: 'credit' | 'charge',
): PendingInvoiceLine {
  const full = (item.price.unit_amount ?? 0) * item.quantity;
  const share = Math.round(full * remainingFraction(period.start, period.end, at));
  const what = describeItem(item.price, productName(ctx, item.price), item.quantity);
  const label = direction === 'credit' ? 'Unused time on' : 'Remaining time on';
  return {
    subscriptionItem: item.subscriptionItem,
    price: item.price.id,
    quantity: item.quantity,
    amount: direction === 'credit' ? -share : share,
    currency: item.price.currency,
    description: `${label} ${what} after ${formatDate(at)}`,
    periodStart: at,
    periodEnd: period.end,
  };
}
