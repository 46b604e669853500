// What every resource handler and billing step works with: the state, the emulated clock, the
// event log, and settings. Passed explicitly (no module singletons) so several emulators can run
// side by side in one test process.
import type { EmulatorClock } from './clock.ts';
import type { EventLog } from './events.ts';
import type { Store } from './store.ts';

/** Stripe's dunning settings, reduced to a schedule and a final action. */
export interface DunningPolicy {
  /** Days after each failed attempt to try again; Stripe's classic default is 3, 5, 7. */
  retryDays: number[];
  /** What happens to the subscription when the last retry fails. */
  finalAction: 'cancel' | 'unpaid';
}

export interface EmulatorSettings {
  /** Base URL for hosted pages (checkout, portal, invoices), as a browser reaches it. */
  publicUrl: string;
  dunning: DunningPolicy;
  /** Seconds a checkout session stays open; Stripe's default is 24 hours. */
  checkoutSessionLifetimeSeconds: number;
}

export interface EmulatorContext {
  store: Store;
  clock: EmulatorClock;
  events: EventLog;
  settings: EmulatorSettings;
}
