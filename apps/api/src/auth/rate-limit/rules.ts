/**
 * The rate limits of the auth procedures: name → points per window. Overridable per
 * deployment with RATE_LIMITS="login.account=5/900,refresh.ip=60/60" (points/seconds).
 *
 * Arithmetic behind the defaults: login.account = 10 per 15 minutes allows ~1,000 password
 * guesses a day against one account, against which an 8-character minimum and argon2id hold;
 * code.account = 15 per 15 minutes on top of 5 tries per code keeps guessing a 6-digit code
 * below 0.15 % a day. Per-IP limits are looser because offices and mobile carriers share IPs.
 */
export const RATE_LIMIT_DEFAULTS = {
  /** Every login attempt, per client IP. */
  'login.ip': { points: 50, seconds: 15 * 60 },
  /** Login attempts per email address tried; a successful sign-in gives its point back. */
  'login.account': { points: 10, seconds: 15 * 60 },
  'register.ip': { points: 10, seconds: 60 * 60 },
  /** Requests that send mail (code, magic link, reset, verification), per IP. */
  'email.ip': { points: 30, seconds: 60 * 60 },
  /** The same, per recipient address: nobody gets mail-bombed through us. */
  'email.account': { points: 5, seconds: 60 * 60 },
  /** Redeeming codes and links (loginWithCode, magic link, verify, reset), per IP. */
  'code.ip': { points: 30, seconds: 15 * 60 },
  /** loginWithCode attempts per address, across codes. */
  'code.account': { points: 15, seconds: 15 * 60 },
  'refresh.ip': { points: 120, seconds: 60 },
  /** Password re-checks of signed-in users (changePassword, deactivate), per account. */
  'password.account': { points: 10, seconds: 15 * 60 },
} as const satisfies Record<string, RateLimitRule>;

export interface RateLimitRule {
  points: number;
  seconds: number;
}

export type RateLimitName = keyof typeof RATE_LIMIT_DEFAULTS;

export function isRateLimitName(value: string): value is RateLimitName {
  return Object.hasOwn(RATE_LIMIT_DEFAULTS, value);
}
