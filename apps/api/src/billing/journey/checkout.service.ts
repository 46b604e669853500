/**
 * billing.checkout.create: a Stripe-hosted checkout for a plan, in subscription mode.
 *
 * - The session names the user three ways, so the webhook can tie the result to them
 *   whichever object it reads: the customer (ours, stored on the user), `client_reference_id`
 *   and `subscription_data.metadata.userId` (copied onto the subscription by Stripe).
 * - One subscription per user: a live one in the mirror or in Stripe (the webhook of a
 *   payment made a second ago may not be here yet) → ALREADY_SUBSCRIBED. Two tabs that both
 *   opened a checkout could still both be paid, so creating a session expires the customer's
 *   older open ones: only the newest can be paid. Two concurrent calls agree on which is
 *   newest (Stripe lists newest first), so exactly one survives.
 * - Redirect URLs: APP_URL pages by default, else only APP_URL's origin or ALLOWED_ORIGINS.
 */
import Stripe from 'stripe';
import { AppError } from '../../errors/app-error';
import { findLiveSubscription } from '../access/load-access';
import { ensureStripeCustomer, USER_ID_METADATA_KEY } from '../customers/stripe-customer';
import { requireStripe } from '../stripe-client';
import type { TCheckoutInput } from './journey.schemas';
import { type JourneyDeps, liveStripeSubscription } from './live-subscription';
import { requirePurchasablePlan } from './purchasable-plan';
import { billingRedirect, DEFAULT_BILLING_PATH, DEFAULT_SUCCESS_PATH } from './redirects';
import { callStripe, requestIdempotencyKey } from './stripe-call';

/** Mirror statuses that count as having a subscription (a new checkout would make a second). */
const LIVE_STATUSES = new Set(['trialing', 'active', 'past_due', 'unpaid', 'incomplete', 'paused']);

export interface CheckoutSession {
  /** The hosted checkout page: send the browser here. */
  url: string;
  sessionId: string;
  expiresAt: string;
}

function alreadySubscribed(): AppError {
  return new AppError(
    'ALREADY_SUBSCRIBED',
    'You already have a subscription: change its plan with billing.subscription.change, or manage it in the billing portal',
  );
}

export async function createCheckout(
  deps: JourneyDeps,
  userId: string,
  input: TCheckoutInput,
): Promise<CheckoutSession> {
  const stripe = requireStripe(deps);
  const successUrl = billingRedirect(
    deps.config,
    'successUrl',
    input.successUrl,
    DEFAULT_SUCCESS_PATH,
  );
  const cancelUrl = billingRedirect(
    deps.config,
    'cancelUrl',
    input.cancelUrl,
    DEFAULT_BILLING_PATH,
  );
  const { plan, price } = await requirePurchasablePlan(deps, input.plan);
  const mirrored = await findLiveSubscription(deps.db, userId);
  if (mirrored && LIVE_STATUSES.has(mirrored.status)) throw alreadySubscribed();

  const customer = await ensureStripeCustomer(deps, { id: userId });
  if (await liveStripeSubscription(deps, customer)) throw alreadySubscribed();
  const metadata = { [USER_ID_METADATA_KEY]: userId, plan: plan.code };
  const session = await callStripe(deps, 'checkout.sessions.create', () =>
    stripe.checkout.sessions.create(
      {
        mode: 'subscription',
        customer,
        client_reference_id: userId,
        line_items: [{ price: price.stripe_price_id, quantity: 1 }],
        subscription_data: { metadata },
        metadata,
        success_url: successUrl,
        cancel_url: cancelUrl,
      },
      { idempotencyKey: requestIdempotencyKey(deps, 'checkout', userId) },
    ),
  );
  await expireOlderSessions(deps, stripe, { userId, customer, keep: session.id });
  deps.metrics.countCheckoutSession({ plan: plan.code });
  if (!session.url) throw new Error(`checkout session ${session.id} has no url`);
  return {
    url: session.url,
    sessionId: session.id,
    expiresAt: new Date(session.expires_at * 1000).toISOString(),
  };
}

/** Expires the customer's open subscription checkouts listed after (older than) `keep`. */
async function expireOlderSessions(
  deps: JourneyDeps,
  stripe: Stripe,
  args: { userId: string; customer: string; keep: string },
): Promise<void> {
  const open = await callStripe(deps, 'checkout.sessions.list', () =>
    stripe.checkout.sessions.list({ customer: args.customer, status: 'open', limit: 100 }),
  );
  const position = open.data.findIndex((session) => session.id === args.keep);
  const older = open.data.filter(
    (session, index) => session.mode === 'subscription' && index > position && position >= 0,
  );
  for (const session of older) {
    await callStripe(deps, 'checkout.sessions.expire', async () => {
      try {
        await stripe.checkout.sessions.expire(
          session.id,
          {},
          { idempotencyKey: requestIdempotencyKey(deps, 'checkout-expire', args.userId) },
        );
      } catch (error) {
        // Completed or expired in the meantime: nothing left to expire.
        if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
      }
    });
  }
}
