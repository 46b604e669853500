// Charging a card: a PaymentIntent confirmed with a payment method, producing a Charge that
// succeeds or is declined according to the test card (see objects/test-cards.ts). Emits what
// Stripe emits, in Stripe's order: payment_intent.created, then charge.succeeded +
// payment_intent.succeeded, or charge.failed + payment_intent.payment_failed.
import type Stripe from 'stripe';
import type { EmulatorContext } from '../context.ts';
import type { CardDecline } from '../errors.ts';
import {
  buildCharge,
  buildPaymentIntent,
  type EmulatedPaymentMethod,
} from '../objects/payments.ts';
import { testCardByLast4 } from '../objects/test-cards.ts';

export interface PaymentRequest {
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: EmulatedPaymentMethod;
  description: string | null;
  metadata: Record<string, string>;
}

export interface PaymentOutcome {
  intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  decline: CardDecline | null;
}

export function declineFor(method: EmulatedPaymentMethod): CardDecline | null {
  return testCardByLast4(method.card.last4).declinesCharges;
}

export function chargeCard(ctx: EmulatorContext, request: PaymentRequest): PaymentOutcome {
  const now = ctx.clock.now();
  const intent = buildPaymentIntent(now, {
    amount: request.amount,
    currency: request.currency,
    customer: request.customer,
    description: request.description,
    metadata: request.metadata,
    paymentMethod: request.paymentMethod.id,
  });
  ctx.store.paymentIntents.set(intent.id, intent);
  ctx.events.emit('payment_intent.created', intent);

  const decline = declineFor(request.paymentMethod);
  const charge = buildCharge(now, intent, request.paymentMethod, decline);
  ctx.store.charges.set(charge.id, charge);
  intent.latest_charge = charge.id;
  if (decline) {
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = {
      type: 'card_error',
      charge: charge.id,
      code: decline.code,
      decline_code: decline.declineCode,
      message: decline.message,
      payment_method: request.paymentMethod,
    };
    ctx.events.emit('charge.failed', charge);
    ctx.events.emit('payment_intent.payment_failed', intent);
  } else {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    ctx.events.emit('charge.succeeded', charge);
    ctx.events.emit('payment_intent.succeeded', intent);
  }
  return { intent, charge, decline };
}
