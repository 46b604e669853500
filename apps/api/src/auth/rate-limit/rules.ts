/**
 * The rate limits of the auth procedures: name → points per window. Overridable per
 * deployment with RATE_LIMITS="login.account=5/900,refresh.ip=60/60" (points/seconds).
 * "ip" subjects are client networks: an IPv4 address, an IPv6 /64 (ip-subject.ts).
 *
 * Password guessing (login-failures.ts): every attempt costs a login.ip point; failures, not
 * attempts, count against an account, so a stranger cannot spend the owner's budget. A
 * network that failed login.account.ip = 5 times in an hour on one account is refused there;
 * once the account has login.account = 10 failures in 15 minutes from anywhere, every
 * network that has failed on it is refused, while a network without failures on it (the
 * owner, typically) still has its password checked. An attacker with K networks gets per day
 *   one network:   5 per hour                                   =    120 guesses
 *   K networks:    10 per 15 min (96 windows) + 1 per network per hour
 *                  = 960 + 24·K guesses (and never more than 120·K)
 * e.g. K = 10 → ~1,200, K = 1,000 → ~25,000 a day — against an 8-character minimum and
 * argon2id; the price of never locking the owner out. Racing guesses slip past by at most
 * the few that finish hashing at the same moment (login-failures.ts).
 *
 * Mail (codes, links, resets, verification): email.account = 3 per 10 minutes per address
 * from anywhere, so a stranger who spends it keeps the owner waiting at most 10 minutes, not
 * an hour; email.account.ip = 10 a day per address from one network (checked first, so a
 * capped network cannot drain the shared budget) bounds mail-bombing: one network gets 10
 * mails a day into a mailbox, any number of networks at most 3 per 10 min = 432 a day.
 *
 * code.account = 15 per 15 minutes on top of 5 tries per code keeps guessing a 6-digit code
 * below 0.15 % a day. Per-IP limits are looser because offices and mobile carriers share IPs.
 */
export const RATE_LIMIT_DEFAULTS = {
  /** Every login attempt, per client network. */
  'login.ip': { points: 50, seconds: 15 * 60 },
  /** Failed logins per address, from anywhere: past it, only networks without failures try. */
  'login.account': { points: 10, seconds: 15 * 60 },
  /** Failed logins per address from one network: past it, that network is refused there. */
  'login.account.ip': { points: 5, seconds: 60 * 60 },
  'register.ip': { points: 10, seconds: 60 * 60 },
  /** Requests that send mail (code, magic link, reset, verification), per client network. */
  'email.ip': { points: 30, seconds: 60 * 60 },
  /** The same, per recipient address from one network: bounds mail-bombing. */
  'email.account.ip': { points: 10, seconds: 24 * 60 * 60 },
  /** The same, per recipient address from anywhere: short, so a stranger delays, not blocks. */
  'email.account': { points: 3, seconds: 10 * 60 },
  /** Redeeming codes and links (loginWithCode, magic link, verify, reset), per IP. */
  'code.ip': { points: 30, seconds: 15 * 60 },
  /** loginWithCode attempts per address, across codes. */
  'code.account': { points: 15, seconds: 15 * 60 },
  'refresh.ip': { points: 120, seconds: 60 },
  /** Password re-checks of signed-in users (changePassword, deactivate), per account. */
  'password.account': { points: 10, seconds: 15 * 60 },
  /** Passwords tried on a verify-first registration link (verifyEmail), per address. */
  'registration.account': { points: 10, seconds: 15 * 60 },
} as const satisfies Record<string, RateLimitRule>;

export interface RateLimitRule {
  points: number;
  seconds: number;
}

export type RateLimitName = keyof typeof RATE_LIMIT_DEFAULTS;

export function isRateLimitName(value: string): value is RateLimitName {
  return Object.hasOwn(RATE_LIMIT_DEFAULTS, value);
}
