// The test helpers — things Stripe's dashboard or a customer's browser would do, which the API
// cannot: move the clock, complete or fail a checkout, put a card on file. Shared by the
// programmatic API (emulator.ts) and the `/_emulator/*` HTTP endpoints (control/routes.ts), and
// wrapped like an API request: due work first, then events are dispatched and state saved.
import { attachCard, makeDefaultCard } from '../billing/cards.ts';
import { completeCheckout } from '../billing/checkout.ts';
import { idOf, requireCheckoutSession, requireCustomer } from '../billing/lookup.ts';
import { advanceClock } from '../billing/scheduler.ts';
import type { EmulatorContext } from '../context.ts';
import { type CardDecline, cardError, invalidRequest } from '../errors.ts';
import { TEST_CARDS, type TestCardName } from '../objects/test-cards.ts';

export interface CheckoutCompletion {
  session: string;
  customer: string | null;
  subscription: string | null;
  invoice: string | null;
  paymentIntent: string | null;
  /** success_url with {CHECKOUT_SESSION_ID} filled in, where Stripe's page would send the browser. */
  redirectUrl: string | null;
}

export interface CompleteCheckoutOptions {
  card?: TestCardName;
  email?: string;
  name?: string;
}

export interface Operations {
  /** Moves the clock to `target` (Unix seconds), running every renewal, retry and expiry on the way. */
  advanceClockTo(target: number): { now: number; steps: number };
  completeCheckout(sessionId: string, options?: CompleteCheckoutOptions): CheckoutCompletion;
  failCheckout(sessionId: string, card?: TestCardName): CardDecline;
  /** Attaches a test card and, by default, makes it the card renewals charge. Returns its pm_ id. */
  attachCard(customerId: string, card: TestCardName, makeDefault?: boolean): string;
}

export interface OperationHooks {
  before(): void;
  after(): void;
}

export function createOperations(ctx: EmulatorContext, hooks: OperationHooks): Operations {
  function wrap<T>(work: () => T): T {
    hooks.before();
    try {
      return work();
    } finally {
      hooks.after();
    }
  }

  return {
    advanceClockTo: (target) =>
      wrap(() => {
        if (!Number.isFinite(target))
          throw invalidRequest('The target time must be a Unix timestamp.');
        const steps = advanceClock(ctx, Math.floor(target));
        return { now: ctx.clock.now(), steps };
      }),

    completeCheckout: (sessionId, options = {}) =>
      wrap(() => {
        const session = requireCheckoutSession(ctx, sessionId);
        const result = completeCheckout(ctx, session, {
          card: TEST_CARDS[options.card ?? 'visa'],
          email: options.email ?? null,
          name: options.name ?? null,
        });
        if (!result.completed) throw cardError(result.decline);
        return {
          session: session.id,
          customer: session.customer === null ? null : idOf(session.customer),
          subscription: session.subscription === null ? null : idOf(session.subscription),
          invoice: session.invoice === null ? null : idOf(session.invoice),
          paymentIntent: session.payment_intent === null ? null : idOf(session.payment_intent),
          redirectUrl: result.redirectUrl,
        };
      }),

    failCheckout: (sessionId, card = 'declined') =>
      wrap(() => {
        const session = requireCheckoutSession(ctx, sessionId);
        const result = completeCheckout(ctx, session, { card: TEST_CARDS[card] });
        if (result.completed)
          throw invalidRequest(`The ${card} test card does not decline; the checkout completed.`);
        return result.decline;
      }),

    attachCard: (customerId, card, makeDefault = true) =>
      wrap(() => {
        const customer = requireCustomer(ctx, customerId);
        const method = attachCard(ctx, customer, TEST_CARDS[card]);
        if (makeDefault) makeDefaultCard(ctx, customer, method);
        return method.id;
      }),
  };
}
