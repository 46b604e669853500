import { type RequestMeta, recordAuditEvent } from '../../audit/audit';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { emailSubject } from './email-subject';
import { ipSubject } from './ip-subject';
import type { RateLimitName } from './rules';

/**
 * Consumes one point of each named limit, in order; the first exhausted one fails the call
 * with RATE_LIMITED and `retryAfterSeconds` (also sent as a Retry-After header), and is
 * audited. Subjects are client networks or hashed addresses (postgres-limiter.ts), never
 * raw secrets.
 */
export async function enforceRateLimits(
  deps: Pick<Deps, 'rateLimiter' | 'db'>,
  meta: RequestMeta,
  checks: ReadonlyArray<readonly [RateLimitName, string]>,
  userId: string | null = null,
): Promise<void> {
  for (const [name, subject] of checks) {
    const result = await deps.rateLimiter.consume(name, subject);
    if (!result.ok) await refuseRateLimited(deps, meta, name, result.retryAfterSeconds, userId);
  }
}

/** Audits a refusal by the named limit and throws RATE_LIMITED. */
export async function refuseRateLimited(
  deps: Pick<Deps, 'db'>,
  meta: RequestMeta,
  rule: RateLimitName,
  retryAfterSeconds: number,
  userId: string | null = null,
): Promise<never> {
  await recordAuditEvent(deps.db, {
    event: 'auth.rate_limited',
    status: 'failure',
    userId,
    meta,
    metadata: { rule, retryAfterSeconds },
  });
  throw new AppError(
    'RATE_LIMITED',
    `Too many attempts; try again in ${retryAfterSeconds} seconds`,
    {
      details: { retryAfterSeconds },
    },
  );
}

/**
 * The budget of a request that sends mail to `email` (rules.ts works out the numbers). The
 * per-network cap comes before the shared per-address one: a network past its cap must not
 * go on spending the budget the owner shares with everyone.
 */
export function mailRateLimits(meta: RequestMeta, email: string) {
  const network = ipSubject(meta.ip);
  const address = emailSubject(email);
  return [
    ['email.ip', network],
    ['email.account.ip', `${address}:${network}`],
    ['email.account', address],
  ] as const satisfies ReadonlyArray<readonly [RateLimitName, string]>;
}
