/**
 * POST /webhooks/stripe: Stripe's deliveries, verified, stored once and applied (ingest.ts).
 *
 * Security model: the only proof a body comes from Stripe is the `Stripe-Signature` HMAC over
 * the exact bytes with STRIPE_WEBHOOK_SECRET, checked by the SDK's `constructEvent` with a
 * 300 s tolerance on its timestamp (a captured delivery cannot be replayed later; within the
 * window a replay is a duplicate, applied once). Until that check passes nothing is stored
 * and nothing of the body is logged but the event id it claims. A verified body's object is
 * used only where a per-object watermark proves it newer than the mirror (snapshot.ts);
 * otherwise handlers re-read the object from Stripe.
 *
 * Answers: 400 for a missing, forged or stale signature; 413 past BODY_LIMIT_BYTES (the app's
 * body limit); 200 for anything verified that is stored, whatever became of it (applied,
 * duplicate, ignored, failed); 500 when applying failed in a way a retry can fix, so Stripe
 * retries; 412 (BILLING_DISABLED) when billing is off.
 */
import { Hono } from 'hono';
import Stripe from 'stripe';
import { z } from 'zod';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import type { AppEnv } from '../../http/app-env';
import { errorResponse } from '../../http/error-response';
import { parseEventBody } from './envelope';
import { ingestEvent } from './ingest';
import { countStripeEvent } from './webhook-metrics';

/** Stripe's own recommendation, and the SDK's default. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const ZClaimedId = z.object({ id: z.string().regex(/^evt_[A-Za-z0-9_]{1,100}$/) });

/** The event id an unverified body claims, for the log line; nothing else is read. */
function claimedEventId(raw: Uint8Array): string | null {
  try {
    const parsed = ZClaimedId.safeParse(JSON.parse(Buffer.from(raw).toString('utf8')));
    return parsed.success ? parsed.data.id : null;
  } catch {
    return null;
  }
}

/** The SDK's check; `body` is the parsed JSON, or undefined for a verified body that is not JSON. */
function verify(
  stripe: Stripe,
  raw: Uint8Array,
  signature: string,
  secret: string,
): { ok: false } | { ok: true; body: unknown } {
  try {
    return {
      ok: true,
      body: stripe.webhooks.constructEvent(raw, signature, secret, SIGNATURE_TOLERANCE_SECONDS),
    };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) return { ok: false };
    // constructEvent verifies before it parses: this body is signed but not JSON.
    if (error instanceof SyntaxError) return { ok: true, body: undefined };
    throw error;
  }
}

export function stripeWebhookRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.post('/webhooks/stripe', async (c) => {
    const stripe = deps.stripe;
    const secret = deps.config.stripe?.webhookSecret;
    if (!stripe || !secret) {
      return errorResponse(
        c,
        new AppError('BILLING_DISABLED', 'Stripe webhooks are not configured on this server'),
      );
    }
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const signature = c.req.header('stripe-signature');
    const verified = signature ? verify(stripe, raw, signature, secret) : { ok: false as const };
    if (!verified.ok) {
      countStripeEvent(deps.metrics, null, 'rejected');
      deps.logger.warn(
        { stripeEvent: claimedEventId(raw), requestId: c.get('requestId') },
        'stripe webhook rejected: missing, invalid or stale signature',
      );
      return errorResponse(
        c,
        new AppError(
          'WEBHOOK_SIGNATURE_INVALID',
          'The Stripe-Signature header is missing, invalid or too old',
        ),
      );
    }
    const parsed = parseEventBody(verified.body, raw, deps.clock.now());
    countStripeEvent(deps.metrics, parsed.row.type, 'received');
    const result = await ingestEvent({ ...deps, stripe }, parsed, {
      source: 'webhook',
      requestId: c.get('requestId'),
    });
    return c.json({ received: true, id: result.eventId, outcome: result.outcome }, 200);
  });
  return app;
}
