// Cards on file: attaching a test card to a customer (validated as Stripe validates on attach)
// and making it the card that renewals charge — the customer's invoice default and every live
// subscription's default, as a portal "update payment method" does.
import type { EmulatorContext } from '../context.ts';
import { cardError } from '../errors.ts';
import { previousAttributes, toJson } from '../json.ts';
import type { EmulatedCustomer } from '../objects/customer.ts';
import { buildPaymentMethod, type EmulatedPaymentMethod } from '../objects/payments.ts';
import type { TestCard } from '../objects/test-cards.ts';
import { idOf } from './lookup.ts';

export function attachCard(
  ctx: EmulatorContext,
  customer: EmulatedCustomer,
  card: TestCard,
  existing?: EmulatedPaymentMethod,
): EmulatedPaymentMethod {
  if (card.declinesOnAttach) throw cardError(card.declinesOnAttach, { param: 'card' });
  const method =
    existing ??
    buildPaymentMethod(ctx.clock.now(), card, { email: customer.email, name: customer.name }, null);
  method.customer = customer.id;
  ctx.store.paymentMethods.set(method.id, method);
  ctx.events.emit('payment_method.attached', method);
  return method;
}

const LIVE = new Set(['active', 'past_due', 'trialing', 'unpaid', 'incomplete']);

export function makeDefaultCard(
  ctx: EmulatorContext,
  customer: EmulatedCustomer,
  method: EmulatedPaymentMethod,
): void {
  const before = toJson(customer);
  customer.invoice_settings.default_payment_method = method.id;
  ctx.events.emit('customer.updated', customer, previousAttributes(before, toJson(customer)));
  for (const subscription of ctx.store.subscriptions.values()) {
    if (idOf(subscription.customer) !== customer.id || !LIVE.has(subscription.status)) continue;
    const previous = toJson(subscription);
    subscription.default_payment_method = method.id;
    ctx.events.emit(
      'customer.subscription.updated',
      subscription,
      previousAttributes(previous, toJson(subscription)),
    );
  }
}
