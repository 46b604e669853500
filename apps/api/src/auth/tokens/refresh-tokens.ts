/**
 * Refresh tokens.
 *
 * Security model
 * - `<token id>.<secret>`, the secret 32 random bytes (256 bits); only SHA-256 of the secret
 *   is stored, compared in constant time after looking the row up by id. A database leak
 *   yields no usable token.
 * - 30-day sliding lifetime: each rotation issues a new token valid 30 days from then, so an
 *   active user stays signed in and an idle one is signed out after a month. Within an
 *   absolute lifetime: a session ends SESSION_MAX_AGE_DAYS (default 90) after sign-in however
 *   often it is refreshed, and no token outlives it; a stolen family cannot be kept alive by
 *   refreshing, and every few months a person proves again who they are.
 * - Every `refresh` rotates: the presented token R0 is marked rotated, and its successor R1
 *   is issued in the same family (session) and recorded on R0's row (`successor_id`). A
 *   family has one live branch: at most one unrotated token (a unique index holds it), and
 *   rotations lock the token row and the session row, so two concurrent refreshes of R0
 *   cannot both rotate it.
 * - Presenting a rotated token again means two parties may hold it — the client and a thief.
 *   Within ROTATION_GRACE_SECONDS of the rotation, while R1 is still unused, R0 gets R1 back:
 *   the same token, never a new one (two tabs refreshing together, a retry after a lost
 *   response). A thief racing the client in those 10 s gets the client's own branch, and
 *   whichever of them rotates R1 first turns the other's next use into a detected reuse.
 *   Any other reuse — outside the window, or after R1 was itself rotated — revokes the whole
 *   family (OAuth 2.0 Security BCP §4.14.2).
 * - To hand R1 back without storing its secret, the server derives it:
 *   R1.secret = HMAC-SHA256(k, "<R0 id>.<R0 secret>"), k the refresh subkey of the server key
 *   (secrets/server-key.ts). Only someone presenting R0 gets R1. A database reader sees
 *   SHA-256(R0.secret), SHA-256(R1.secret) and R1's id; to reach R1 he needs a SHA-256
 *   preimage (2^256 work) or k (256 bits, never stored), which is no better than guessing R1
 *   outright. Without k the 256-bit HMAC output is as unpredictable as a random secret. The
 *   first token of a family is random.
 * - The token travels in the response body (SDK) or in an HttpOnly; Secure; SameSite=Lax
 *   cookie (browsers; refresh-cookie.ts); cookie calls must carry an allowed Origin.
 */
import { createHmac } from 'node:crypto';
import { sha256 } from '../../lib/hash';
import type { RandomSource } from '../../lib/random';
import {
  formatToken,
  type GeneratedToken,
  generateTokenSecret,
  parseToken,
  secretMatches,
} from '../secrets/one-time-secrets';

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
export const ROTATION_GRACE_SECONDS = 10;

export function newRefreshSecret(random: RandomSource) {
  return generateTokenSecret(random);
}

/** R1's secret from R0 (see the header): reproducible by the server, by nobody else. */
export function successorSecret(
  key: Buffer,
  presented: { id: string; secret: string },
): GeneratedToken {
  const secret = createHmac('sha256', key)
    .update(formatToken(presented.id, presented.secret), 'utf8')
    .digest('base64url');
  return { secret, hash: sha256(secret) };
}

export const formatRefreshToken = formatToken;
export const parseRefreshToken = parseToken;
export const refreshSecretMatches = secretMatches;

/** When a session started at `createdAt` ends, however often it is refreshed. */
export function sessionEnd(createdAt: Date, maxAgeDays: number): Date {
  return new Date(createdAt.getTime() + maxAgeDays * 24 * 60 * 60 * 1000);
}

/** 30 days from now (the sliding lifetime), but never past the session's end. */
export function refreshTokenExpiry(now: Date, end: Date): Date {
  return new Date(Math.min(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000, end.getTime()));
}

export function withinRotationGrace(rotatedAt: Date, now: Date): boolean {
  return now.getTime() - rotatedAt.getTime() <= ROTATION_GRACE_SECONDS * 1000;
}
