/**
 * Failed password logins, counted so that guessing is bounded and strangers cannot lock the
 * owner out.
 *
 * Model: a per-account counter of attempts lets anyone who knows an address keep its owner
 * out with a few wrong passwords. So only failures count, twice: per address from anywhere
 * (`login.account`) and per address from one client network (`login.account.ip`). A network
 * is refused on an address when it has used up its own failures there, or when the address
 * has used up its shared budget and this network has failed on it before. A network with no
 * failures on the address still gets its password checked: the owner signs in while a
 * stranger is being refused. Every attempt still costs a `login.ip` point (the caller's job).
 * The odds this leaves an attacker with K networks are worked out in rules.ts.
 *
 * Round trips: the counters are read (one query) before the password check, so a refused
 * network costs no argon2, and read again after it, so a correct guess that was queued behind
 * failures from the same network is refused once those are counted. A success writes nothing
 * here. A failure increments both counters atomically and is judged on the counts it gets
 * back, so of many parallel wrong guesses only those within the budget are answered
 * INVALID_CREDENTIALS; the rest look exactly like a refused correct password.
 */
import type { RequestMeta } from '../../audit/audit';
import type { Deps } from '../../deps';
import { emailSubject } from './email-subject';
import { refuseRateLimited } from './enforce';
import { ipSubject } from './ip-subject';
import type { RateLimitCount } from './postgres-limiter';
import type { RateLimitName } from './rules';

type Refusal = { rule: RateLimitName; retryAfterSeconds: number } | null;

export interface LoginFailures {
  /** Throws RATE_LIMITED when this network may not try this address now. */
  refuseIfBlocked(): Promise<void>;
  /** Counts a wrong password; throws RATE_LIMITED if this guess was past the budget. */
  recordFailure(): Promise<void>;
}

export function loginFailures(
  deps: Pick<Deps, 'rateLimiter' | 'db'>,
  meta: RequestMeta,
  email: string,
): LoginFailures {
  const address = emailSubject(email);
  const checks = [
    ['login.account', address],
    ['login.account.ip', `${address}:${ipSubject(meta.ip)}`],
  ] as const;
  const refuse = async (refusal: Refusal) => {
    if (refusal) await refuseRateLimited(deps, meta, refusal.rule, refusal.retryAfterSeconds);
  };

  return {
    async refuseIfBlocked() {
      const [account, network] = await deps.rateLimiter.peek(checks);
      if (account && network) await refuse(judge(account, network));
    },
    async recordFailure() {
      const [account, network] = await Promise.all(
        checks.map(([name, subject]) => deps.rateLimiter.recordFailure(name, subject)),
      );
      if (!account || !network) return;
      // Judged on the counts before this failure, as if it had been checked first.
      const before = (count: RateLimitCount) => ({ ...count, used: count.used - 1 });
      await refuse(judge(before(account), before(network)));
    },
  };
}

/** The rule of the module header, on the failures counted so far. */
function judge(account: RateLimitCount, network: RateLimitCount): Refusal {
  if (network.used >= network.points) {
    return { rule: 'login.account.ip', retryAfterSeconds: network.retryAfterSeconds };
  }
  if (account.used >= account.points && network.used > 0) {
    // Lifted by whichever ends first: this network's failures, or the address's window.
    const retryAfterSeconds = Math.min(account.retryAfterSeconds, network.retryAfterSeconds);
    return { rule: 'login.account', retryAfterSeconds };
  }
  return null;
}
