// Subscription items as plain (item, price, quantity) states: what a change compares and
// prorates, and how a planned set of states is written back — existing items keep their si_
// ids (Stripe changes the price in place), new ones get fresh ids.
import type Stripe from 'stripe';
import {
  buildSubscriptionItem,
  type EmulatedSubscription,
  planFromPrice,
} from '../objects/subscription.ts';
import type { ItemState } from './proration.ts';

/** Converts the current items into the state used for proration arithmetic. */
export function itemStates(subscription: Stripe.Subscription): ItemState[] {
  return subscription.items.data.map((item) => ({
    subscriptionItem: item.id,
    price: item.price,
    quantity: item.quantity ?? 1,
  }));
}

export function applyItemStates(
  subscription: EmulatedSubscription,
  states: ItemState[],
  period: { start: number; end: number },
  now: number,
): void {
  const byId = new Map(subscription.items.data.map((item) => [item.id, item]));
  subscription.items.data = states.map((state) => {
    const existing = byId.get(state.subscriptionItem);
    if (!existing) {
      const created = buildSubscriptionItem(now, {
        subscription: subscription.id,
        price: state.price,
        quantity: state.quantity,
        periodStart: period.start,
        periodEnd: period.end,
        metadata: {},
      });
      state.subscriptionItem = created.id;
      return created;
    }
    return {
      ...existing,
      price: state.price,
      plan: planFromPrice(state.price),
      quantity: state.quantity,
      current_period_start: period.start,
      current_period_end: period.end,
    };
  });
}
