/**
 * Calling Stripe on a user's behalf: every failure leaves as an app error the client can act
 * on, never as a scrubbed 500.
 *
 * - Stripe unreachable, too slow (STRIPE_TIMEOUT_MS), rate limiting us or answering 5xx →
 *   STRIPE_UNAVAILABLE (503): the client may try again; nothing here retries on its own
 *   beyond the SDK's STRIPE_MAX_NETWORK_RETRIES, which reuse the request's idempotency key.
 * - Anything else Stripe refuses (a bad request of ours, a key without permission) →
 *   STRIPE_REQUEST_FAILED (502), logged with Stripe's request id and message; the client sees
 *   neither, since Stripe's messages can name objects and parameters.
 *
 * Idempotency: every POST carries a key. A customer's is derived from the user, so two
 * concurrent first calls create one customer; the others are per call (`tb:<action>:<user>:
 * <random>`): they make the SDK's own retries safe, and a derived key would be wrong there —
 * Stripe replays a key's first answer for 24 hours without executing, so cancel → resume →
 * cancel under one derived key would silently skip the second cancel.
 */
import Stripe from 'stripe';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';

export type StripeCallDeps = Pick<Deps, 'logger' | 'random'>;

/** A fresh key for one POST; 128 random bits, so two calls never share one. */
export function requestIdempotencyKey(
  deps: Pick<Deps, 'random'>,
  action: string,
  userId: string,
): string {
  return `tb:${action}:${userId}:${deps.random.bytes(16).toString('hex')}`;
}

function isUnavailable(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 0) >= 500)
  );
}

/** The app error for a failed Stripe call (an AppError thrown inside passes through). */
export function stripeFailure(deps: StripeCallDeps, action: string, error: unknown): Error {
  if (error instanceof AppError) return error;
  if (isUnavailable(error)) {
    deps.logger.warn({ err: error, action }, 'Stripe did not answer');
    return new AppError(
      'STRIPE_UNAVAILABLE',
      'The payment provider is not answering right now; try again in a moment',
      { cause: error },
    );
  }
  if (error instanceof Stripe.errors.StripeError) {
    deps.logger.error(
      {
        action,
        stripe: {
          type: error.type,
          code: error.code,
          param: error.param,
          requestId: error.requestId,
          statusCode: error.statusCode,
          message: error.message,
        },
      },
      'Stripe refused a request',
    );
    return new AppError(
      'STRIPE_REQUEST_FAILED',
      'The payment provider refused the request; it was logged under this request id',
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs one Stripe call (or a few), mapping what fails; `action` names it in the log. */
export async function callStripe<T>(
  deps: StripeCallDeps,
  action: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw stripeFailure(deps, action, error);
  }
}

/** Stripe's "no such object" (a customer deleted in the dashboard, a stale id). */
export function isMissingResource(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing'
  );
}
