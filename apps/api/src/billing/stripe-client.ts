/**
 * The one Stripe client: the official `stripe` SDK, pointed at Stripe or (STRIPE_API_URL) at
 * the emulator, which speaks the same protocol. Null when STRIPE_SECRET_KEY is unset: billing
 * is then off, and whatever needs Stripe says so (`requireStripe`) instead of failing later.
 *
 * Timeouts and retries: a request gets STRIPE_TIMEOUT_MS (15 s by default; the SDK's own 80 s
 * would hold a request handler far beyond any client's patience). The SDK retries a failed
 * request STRIPE_MAX_NETWORK_RETRIES times with backoff, reusing the request's idempotency key,
 * so a retried POST is replayed by Stripe, never executed twice.
 */
import Stripe from 'stripe';
import type { Config } from '../config';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';

export type StripeConfig = NonNullable<Config['stripe']>;

/** host/port/protocol for the SDK from a URL like http://127.0.0.1:12111. */
function endpointOf(apiUrl: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { host: url.hostname, port, protocol };
}

export function createStripeClient(config: StripeConfig | undefined): Stripe | null {
  if (!config) return null;
  return new Stripe(config.secretKey, {
    ...(config.apiUrl && endpointOf(config.apiUrl)),
    timeout: config.timeoutMs,
    maxNetworkRetries: config.maxNetworkRetries,
    appInfo: { name: 'tollbooth' },
  });
}

/** The client, or BILLING_DISABLED for a caller who asked for something that needs Stripe. */
export function requireStripe(deps: Pick<Deps, 'stripe'>): Stripe {
  if (!deps.stripe) {
    throw new AppError(
      'BILLING_DISABLED',
      'Billing is not configured on this server: set STRIPE_SECRET_KEY to enable it',
    );
  }
  return deps.stripe;
}
