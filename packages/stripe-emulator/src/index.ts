// @tollbooth/stripe-emulator: a local, stateful Stripe API for offline development and tests.

export { createManualClock, createSystemClock, type EmulatorClock } from './clock.ts';
export type { DunningPolicy } from './context.ts';
export type { CheckoutCompletion, CompleteCheckoutOptions } from './control/operations.ts';
export { createStripeEmulator, startStripeEmulator } from './emulator.ts';
export { type CardDecline, StripeApiError } from './errors.ts';
export { TEST_CARDS, type TestCardName } from './objects/test-cards.ts';
export {
  DEFAULT_PORT,
  DEFAULT_SECRET_KEY,
  DEFAULT_WEBHOOK_SECRET,
  type StripeEmulator,
  type StripeEmulatorOptions,
} from './options.ts';
export type { DeliveryAttempt, DeliverySwitches } from './webhooks/delivery.ts';
export { generateWebhookSecret, signatureHeader } from './webhooks/signer.ts';
