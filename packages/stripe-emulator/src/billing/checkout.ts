// What happens when a person pays on the hosted Checkout page (or a test calls the helper):
// the customer is created if needed, the card becomes a payment method, and the session's mode
// decides the rest — `subscription` starts a subscription and bills its first invoice,
// `payment` charges the total once. A card that declines leaves the session open, as Stripe's
// page does, so the person can try another card. Session metadata is NOT copied to the
// subscription or payment intent (a classic integration bug Stripe has too); use
// `subscription_data[metadata]` / `payment_intent_data[metadata]`.
import type Stripe from 'stripe';
import type { EmulatorContext } from '../context.ts';
import { type CardDecline, invalidRequest } from '../errors.ts';
import type { EmulatedCheckoutSession } from '../objects/checkout.ts';
import { buildCustomer } from '../objects/customer.ts';
import { buildPaymentMethod } from '../objects/payments.ts';
import type { TestCard } from '../objects/test-cards.ts';
import { idOf } from './lookup.ts';
import { chargeCard } from './payments.ts';
import { startSubscription } from './subscriptions.ts';

export interface PayerDetails {
  card: TestCard;
  email?: string | null;
  name?: string | null;
}

export type CheckoutResult =
  | { completed: true; redirectUrl: string | null }
  | { completed: false; decline: CardDecline };

function assertOpen(session: Stripe.Checkout.Session): void {
  if (session.status !== 'open') {
    throw invalidRequest(`This Checkout Session is no longer active (status: ${session.status}).`, {
      param: 'session',
    });
  }
}

export function completeCheckout(
  ctx: EmulatorContext,
  session: EmulatedCheckoutSession,
  payer: PayerDetails,
): CheckoutResult {
  assertOpen(session);
  const now = ctx.clock.now();
  const options = ctx.store.checkoutOptions.get(session.id);
  const existing = session.customer ? ctx.store.customers.get(idOf(session.customer)) : undefined;
  const email = existing?.email ?? session.customer_email ?? payer.email ?? null;
  const name = existing?.name ?? payer.name ?? null;
  const amount = session.amount_total ?? 0;
  const currency = session.currency ?? 'usd';

  const decline = payer.card.declinesOnAttach ?? payer.card.declinesCharges;
  if (decline) {
    if (session.mode === 'payment') {
      const method = buildPaymentMethod(now, payer.card, { email, name }, null);
      ctx.store.paymentMethods.set(method.id, method);
      const outcome = chargeCard(ctx, {
        amount,
        currency,
        customer: existing?.id ?? null,
        paymentMethod: method,
        description: options?.paymentIntentData.description ?? null,
        metadata: options?.paymentIntentData.metadata ?? {},
      });
      session.payment_intent = outcome.intent.id;
    }
    return { completed: false, decline };
  }

  let customer = existing;
  if (!customer && (session.mode === 'subscription' || session.customer_creation === 'always')) {
    customer = buildCustomer(now, {
      email,
      name,
      description: null,
      phone: null,
      metadata: {},
      address: null,
    });
    ctx.store.customers.set(customer.id, customer);
    ctx.events.emit('customer.created', customer);
  }
  const method = buildPaymentMethod(now, payer.card, { email, name }, customer?.id ?? null);
  ctx.store.paymentMethods.set(method.id, method);
  if (customer) ctx.events.emit('payment_method.attached', method);

  if (session.mode === 'subscription' && customer) {
    const items = (ctx.store.checkoutLineItems.get(session.id) ?? []).flatMap((item) =>
      item.price ? [{ price: item.price, quantity: item.quantity ?? 1 }] : [],
    );
    const started = startSubscription(ctx, {
      customer,
      items,
      paymentMethod: method,
      metadata: options?.subscriptionData.metadata ?? {},
      description: options?.subscriptionData.description ?? null,
      trialPeriodDays: options?.subscriptionData.trialPeriodDays ?? null,
    });
    session.subscription = started.subscription.id;
    session.invoice = started.invoice.id;
  } else {
    const outcome = chargeCard(ctx, {
      amount,
      currency,
      customer: customer?.id ?? null,
      paymentMethod: method,
      description: options?.paymentIntentData.description ?? null,
      metadata: options?.paymentIntentData.metadata ?? {},
    });
    session.payment_intent = outcome.intent.id;
  }

  session.status = 'complete';
  session.payment_status = amount === 0 ? 'no_payment_required' : 'paid';
  session.customer = customer?.id ?? null;
  session.customer_details = {
    address: null,
    business_name: null,
    email,
    individual_name: null,
    name,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  session.url = null;
  ctx.events.emit('checkout.session.completed', session);
  const redirectUrl = session.success_url?.replaceAll('{CHECKOUT_SESSION_ID}', session.id) ?? null;
  return { completed: true, redirectUrl };
}

export function expireCheckoutSession(
  ctx: EmulatorContext,
  session: EmulatedCheckoutSession,
): void {
  if (session.status !== 'open') {
    throw invalidRequest('Only Checkout Sessions with a status in ["open"] can be expired.', {
      param: 'session',
    });
  }
  session.status = 'expired';
  session.url = null;
  ctx.events.emit('checkout.session.expired', session);
}
