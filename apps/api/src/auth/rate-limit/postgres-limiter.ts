/**
 * Rate limiting on rate-limiter-flexible's Postgres store: the counters live in the shared
 * database (table `rate_limits`, created by migration 0002), so a limit holds across every
 * API process, not per process. Keys are `<rule>:<subject>`, the subject a client network
 * (ip-subject.ts) or the SHA-256 of an email address (no email addresses in the table, always
 * under 255 chars).
 */

import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { normalizeEmail } from '../../lib/email';
import { sha256 } from '../../lib/hash';
import type { RateLimitName, RateLimitRule } from './rules';

export type RateLimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  consume(name: RateLimitName, subject: string): Promise<RateLimitResult>;
  /** Gives back one point consumed earlier (an attempt that turned out legitimate). */
  refund(name: RateLimitName, subject: string): Promise<void>;
}

/** Subject for a per-address limit: case-insensitive, and no plaintext email in the store. */
export function emailSubject(email: string): string {
  return sha256(normalizeEmail(email)).toString('hex');
}

// Per-IP subjects group IPv6 clients per /64; callers take both subjects from here.
export { ipSubject } from './ip-subject';

export function createPostgresRateLimiter(
  pool: pg.Pool,
  rules: Record<RateLimitName, RateLimitRule>,
): RateLimiter {
  const limiters = new Map<RateLimitName, RateLimiterPostgres>();

  function limiterFor(name: RateLimitName): RateLimiterPostgres {
    let limiter = limiters.get(name);
    if (!limiter) {
      const rule = rules[name];
      limiter = new RateLimiterPostgres({
        storeClient: pool,
        tableName: 'rate_limits',
        tableCreated: true,
        // The worker's hourly cleanup deletes expired rows; no timers in every API process.
        clearExpiredByTimeout: false,
        keyPrefix: name,
        points: rule.points,
        duration: rule.seconds,
      });
      limiters.set(name, limiter);
    }
    return limiter;
  }

  return {
    async consume(name, subject) {
      try {
        await limiterFor(name).consume(subject);
        return { ok: true };
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          return {
            ok: false,
            retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)),
          };
        }
        throw error;
      }
    },
    async refund(name, subject) {
      await limiterFor(name).reward(subject, 1);
    },
  };
}
