// The options `createStripeEmulator` takes, the handle it returns, and the defaults: one place
// to read what the emulator can be told and what it offers in-process.
import type { EmulatorClock } from './clock.ts';
import type { DunningPolicy } from './context.ts';
import type { CheckoutCompletion, CompleteCheckoutOptions } from './control/operations.ts';
import type { CardDecline } from './errors.ts';
import type { TestCardName } from './objects/test-cards.ts';
import type { DeliveryAttempt, DeliverySwitches } from './webhooks/delivery.ts';

/** Test-mode looking, obviously not a real key. */
export const DEFAULT_SECRET_KEY = 'sk_test_emulator_0000000000000000';
/** Fixed so a dev `.env` can name it; pass your own for anything shared. */
export const DEFAULT_WEBHOOK_SECRET = 'whsec_emulator_0000000000000000000000000000';
/** stripe-mock's port, so tooling that knows one finds the other. */
export const DEFAULT_PORT = 12111;

/** Roughly Stripe's spacing, compressed from three days into about an hour. */
export const DEFAULT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000];
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_DUNNING: DunningPolicy = { retryDays: [3, 5, 7], finalAction: 'cancel' };

export interface StripeEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  secretKey?: string;
  webhookSecret?: string;
  /** Webhook endpoints, like `stripe listen --forward-to`. */
  forwardTo?: string | string[];
  /** Base URL of the hosted pages as a browser sees it; defaults to http://host:port. */
  publicUrl?: string;
  /** Defaults to real time plus whatever the clock has been advanced by. */
  clock?: EmulatorClock;
  /** Where to keep state between runs; in memory only when unset. */
  statePath?: string;
  webhooks?: { retryDelaysMs?: number[]; timeoutMs?: number; switches?: Partial<DeliverySwitches> };
  dunning?: Partial<DunningPolicy>;
  /** Run due billing work on a timer as real time passes (the CLI uses 1000 ms). Off by default. */
  tickIntervalMs?: number;
  log?: (line: string) => void;
}

export interface StripeEmulator {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly secretKey: string;
  readonly webhookSecret: string;
  readonly apiVersion: string;
  /** Spread into the SDK's config: `new Stripe(key, { ...emulator.stripeConfig })`. */
  readonly stripeConfig: { host: string; port: number; protocol: 'http' };
  readonly clock: {
    now(): number;
    advance(seconds: number): { now: number; steps: number };
    advanceTo(timestamp: number): { now: number; steps: number };
  };
  readonly webhooks: {
    addEndpoint(url: string, secret?: string): void;
    setSwitches(switches: Partial<DeliverySwitches>): DeliverySwitches;
    settled(): Promise<void>;
    attempts(): readonly DeliveryAttempt[];
  };
  completeCheckout(sessionId: string, options?: CompleteCheckoutOptions): CheckoutCompletion;
  failCheckout(sessionId: string, card?: TestCardName): CardDecline;
  attachCard(customerId: string, card?: TestCardName, makeDefault?: boolean): string;
  /** A card that attaches but declines every charge (4000 0000 0000 0341), made the default. */
  attachDecliningCard(customerId: string): string;
}
