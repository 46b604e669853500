// Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where
// the HMAC key is the endpoint secret exactly as given (`whsec_…`, prefix included) and the
// message is `${t}.${payload}`. `stripe.webhooks.constructEvent` recomputes it and rejects a
// `t` more than 300 s from the receiver's clock — so `t` is always wall-clock time, never the
// emulated clock (see clock.ts).
import { createHmac, randomBytes } from 'node:crypto';

export function computeSignature(payload: string, secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
}

export function signatureHeader(payload: string, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${computeSignature(payload, secret, timestamp)}`;
}

/** A fresh secret in Stripe's format: `whsec_` and 32 random bytes in hex (256 bits). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}
