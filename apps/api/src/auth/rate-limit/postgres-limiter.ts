/**
 * Rate limiting on rate-limiter-flexible's Postgres store: the counters live in the shared
 * database (table `rate_limits`, created by migration 0002), so a limit holds across every
 * API process, not per process. Keys are `<rule>:<subject>`, the subject a client network
 * (ip-subject.ts) or the SHA-256 of an email address (email-subject.ts; no email addresses in
 * the table, always under 255 chars).
 */

import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitName, RateLimitRule } from './rules';

export type RateLimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A counter as it stands: points used in its live window, the rule's points, time left. */
export interface RateLimitCount {
  used: number;
  points: number;
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one attempt and refuses it once the window's points are used up. */
  consume(name: RateLimitName, subject: string): Promise<RateLimitResult>;
  /** Counts one failure, never refusing; answers the count that includes it. */
  recordFailure(name: RateLimitName, subject: string): Promise<RateLimitCount>;
  /** Reads counters, in one query and without writing (a counter not in the table is 0). */
  peek(checks: ReadonlyArray<readonly [RateLimitName, string]>): Promise<RateLimitCount[]>;
}

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
          return { ok: false, retryAfterSeconds: secondsLeft(error.msBeforeNext, rules[name]) };
        }
        throw error;
      }
    },
    async recordFailure(name, subject) {
      const result = await limiterFor(name).penalty(subject, 1);
      return {
        used: result.consumedPoints,
        points: rules[name].points,
        retryAfterSeconds: secondsLeft(result.msBeforeNext, rules[name]),
      };
    },
    async peek(checks) {
      const keys = checks.map(([name, subject]) => limiterFor(name).getKey(subject));
      const now = Date.now();
      // The store's own table and its liveness rule (rate-limiter-flexible's _get).
      const { rows } = await pool.query<{ key: string; points: number; expire: string | null }>(
        'select key, points, expire from rate_limits where key = any($1) and (expire > $2 or expire is null)',
        [keys, now],
      );
      const live = new Map(rows.map((row) => [row.key, row]));
      return checks.map(([name], index) => {
        const row = live.get(keys[index] ?? '');
        return {
          used: row?.points ?? 0,
          points: rules[name].points,
          retryAfterSeconds: secondsLeft(row?.expire ? Number(row.expire) - now : -1, rules[name]),
        };
      });
    },
  };
}

/** Whole seconds until a window ends (at least 1); a counter without one gets a full window. */
function secondsLeft(msBeforeNext: number, rule: RateLimitRule): number {
  return msBeforeNext < 0 ? rule.seconds : Math.max(1, Math.ceil(msBeforeNext / 1000));
}
