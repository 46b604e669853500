// Emulated time, in Unix seconds like every Stripe timestamp. Billing (renewals, retries,
// session expiry) reads only this clock, and it only moves forward, so a test advances a month
// in a millisecond and nothing ever sees time run backwards. Webhook signatures deliberately do
// NOT use it: receivers check `t=` against their own wall clock (300 s tolerance), so signing
// with an advanced emulated time would make every event after an advance fail verification.

export interface EmulatorClock {
  /** Current emulated time, Unix seconds. */
  now(): number;
  /** Moves time forward to `timestamp`; a timestamp in the past is ignored. */
  advanceTo(timestamp: number): void;
}

function wallSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Real time plus an offset that only grows: the default, so a dev server ages naturally and
 * `POST /_emulator/clock/advance` jumps it ahead.
 */
export function createSystemClock(): EmulatorClock {
  let offsetSeconds = 0;
  return {
    now: () => wallSeconds() + offsetSeconds,
    advanceTo(timestamp) {
      const now = wallSeconds() + offsetSeconds;
      if (timestamp > now) offsetSeconds += timestamp - now;
    },
  };
}

/** Frozen time that moves only when advanced: for tests that assert exact timestamps. */
export function createManualClock(start: number = wallSeconds()): EmulatorClock {
  let current = Math.floor(start);
  return {
    now: () => current,
    advanceTo(timestamp) {
      if (timestamp > current) current = Math.floor(timestamp);
    },
  };
}

export const SECONDS_PER_DAY = 86_400;
