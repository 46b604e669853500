/**
 * credits.packs.list and credits.checkout.create: a Stripe-hosted checkout in payment mode for
 * one credit pack. The session carries, in its metadata and its payment intent's, the user,
 * the pack and the credits it sells, as they are now: the webhook credits what was sold,
 * whatever the pack says later (pack-purchase.ts). Redirects follow billing's rules
 * (billing/journey/redirects.ts: APP_URL pages by default, else APP_URL's origin or
 * ALLOWED_ORIGINS only).
 */
import type { CreditPack } from '@tollbooth/db';
import {
  ensureStripeCustomer,
  USER_ID_METADATA_KEY,
} from '../../billing/customers/stripe-customer';
import type { JourneyDeps } from '../../billing/journey/live-subscription';
import { billingRedirect, DEFAULT_BILLING_PATH } from '../../billing/journey/redirects';
import { callStripe, requestIdempotencyKey } from '../../billing/journey/stripe-call';
import { requireStripe } from '../../billing/stripe-client';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { findActivePack, listActivePacks } from './packs.queries';

/** Metadata keys of a pack checkout (its session and payment intent). */
export const PACK_METADATA_KEY = 'creditPack';
export const CREDITS_METADATA_KEY = 'credits';

export const DEFAULT_PACK_SUCCESS_PATH = '/billing/credits?session_id={CHECKOUT_SESSION_ID}';

export interface PackView {
  code: string;
  name: string;
  credits: number;
  priceCents: number;
  currency: string;
}

export function toPackView(pack: CreditPack): PackView {
  return {
    code: pack.code,
    name: pack.name,
    credits: pack.credits,
    priceCents: pack.price_cents,
    currency: pack.currency,
  };
}

export async function listPacks(deps: Pick<Deps, 'db'>): Promise<PackView[]> {
  return (await listActivePacks(deps.db)).map(toPackView);
}

/**
 * The pack's Stripe price, only while Stripe matches the pack's current version: between an
 * admin's price change and its sync the recorded price still has the old terms, so the
 * checkout sends the pack's terms inline (price_data) rather than sell at the old price.
 */
function syncedPriceOf(pack: CreditPack): string | null {
  const synced = pack.sync_state === 'synced' && pack.synced_version === pack.version;
  return synced ? pack.stripe_price_id : null;
}

export interface PackCheckout {
  url: string;
  sessionId: string;
  expiresAt: string;
}

export async function createPackCheckout(
  deps: JourneyDeps,
  userId: string,
  input: { pack: string; successUrl?: string | undefined; cancelUrl?: string | undefined },
): Promise<PackCheckout> {
  const stripe = requireStripe(deps);
  const successUrl = billingRedirect(
    deps.config,
    'successUrl',
    input.successUrl,
    DEFAULT_PACK_SUCCESS_PATH,
  );
  const cancelUrl = billingRedirect(
    deps.config,
    'cancelUrl',
    input.cancelUrl,
    DEFAULT_BILLING_PATH,
  );
  const pack = await findActivePack(deps.db, input.pack);
  if (!pack) {
    throw new AppError('CREDIT_PACK_NOT_FOUND', 'No credit pack with that code is on sale', {
      fieldErrors: { pack: ['names no credit pack on sale (see credits.packs.list)'] },
    });
  }
  const customer = await ensureStripeCustomer(deps, { id: userId });
  const metadata = {
    [USER_ID_METADATA_KEY]: userId,
    [PACK_METADATA_KEY]: pack.code,
    [CREDITS_METADATA_KEY]: String(pack.credits),
  };
  const price = syncedPriceOf(pack);
  const lineItem = price
    ? { price, quantity: 1 }
    : {
        price_data: {
          currency: pack.currency,
          unit_amount: pack.price_cents,
          product_data: { name: pack.name },
        },
        quantity: 1,
      };
  const session = await callStripe(deps, 'checkout.sessions.create', () =>
    stripe.checkout.sessions.create(
      {
        mode: 'payment',
        customer,
        client_reference_id: userId,
        line_items: [lineItem],
        metadata,
        payment_intent_data: { metadata },
        success_url: successUrl,
        cancel_url: cancelUrl,
      },
      { idempotencyKey: requestIdempotencyKey(deps, 'pack-checkout', userId) },
    ),
  );
  if (!session.url) throw new Error(`checkout session ${session.id} has no url`);
  return {
    url: session.url,
    sessionId: session.id,
    expiresAt: new Date(session.expires_at * 1000).toISOString(),
  };
}
