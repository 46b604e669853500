import { type RequestMeta, recordAuditEvent } from '../../audit/audit';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import type { RateLimitName } from './rules';

/**
 * Consumes one point of each named limit, in order; the first exhausted one fails the call
 * with RATE_LIMITED and `retryAfterSeconds` (also sent as a Retry-After header), and is
 * audited. Subjects are IPs or hashed addresses (see rate-limiter.ts), never raw secrets.
 */
export async function enforceRateLimits(
  deps: Pick<Deps, 'rateLimiter' | 'db'>,
  meta: RequestMeta,
  checks: ReadonlyArray<readonly [RateLimitName, string]>,
  userId: string | null = null,
): Promise<void> {
  for (const [name, subject] of checks) {
    const result = await deps.rateLimiter.consume(name, subject);
    if (result.ok) continue;
    await recordAuditEvent(deps.db, {
      event: 'auth.rate_limited',
      status: 'failure',
      userId,
      meta,
      metadata: { rule: name, retryAfterSeconds: result.retryAfterSeconds },
    });
    throw new AppError(
      'RATE_LIMITED',
      `Too many attempts; try again in ${result.retryAfterSeconds} seconds`,
      { details: { retryAfterSeconds: result.retryAfterSeconds } },
    );
  }
}
