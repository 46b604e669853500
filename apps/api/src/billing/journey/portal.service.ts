/**
 * billing.portal.create: a Stripe billing portal session, where the customer manages cards,
 * invoices and the subscription on Stripe's pages. Its return URL is checked like checkout's.
 * What the customer changes there reaches the mirror through the webhooks it causes.
 */
import { ensureStripeCustomer } from '../customers/stripe-customer';
import { requireStripe } from '../stripe-client';
import type { JourneyDeps } from './live-subscription';
import { billingRedirect, DEFAULT_BILLING_PATH } from './redirects';
import { callStripe, requestIdempotencyKey } from './stripe-call';

export interface PortalSession {
  /** The portal's page: send the browser here. */
  url: string;
}

export async function createPortalSession(
  deps: JourneyDeps,
  userId: string,
  input: { returnUrl?: string | undefined } | undefined,
): Promise<PortalSession> {
  const stripe = requireStripe(deps);
  const returnUrl = billingRedirect(
    deps.config,
    'returnUrl',
    input?.returnUrl,
    DEFAULT_BILLING_PATH,
  );
  const customer = await ensureStripeCustomer(deps, { id: userId });
  const session = await callStripe(deps, 'billingPortal.sessions.create', () =>
    stripe.billingPortal.sessions.create(
      { customer, return_url: returnUrl },
      { idempotencyKey: requestIdempotencyKey(deps, 'portal', userId) },
    ),
  );
  return { url: session.url };
}
