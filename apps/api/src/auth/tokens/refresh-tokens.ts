/**
 * Refresh tokens.
 *
 * Security model
 * - `<token id>.<secret>`, the secret 32 random bytes (256 bits); only SHA-256 of the secret
 *   is stored, compared in constant time after looking the row up by id. A database leak
 *   yields no usable token.
 * - 30-day sliding lifetime: each rotation issues a new token valid 30 days from then, so an
 *   active user stays signed in and an idle one is signed out after a month.
 * - Every `refresh` rotates: the presented token is marked rotated and a new one issued in
 *   the same family (session). Presenting a rotated token again means two parties hold it —
 *   the legitimate client and a thief — so the whole family is revoked (OAuth 2.0 Security
 *   BCP §4.14.2). Exception: within ROTATION_GRACE_SECONDS of its rotation, a rotated token is
 *   accepted once more and yields another token of the same family, so two tabs that
 *   refresh at the same moment do not sign the user out. A thief racing the client inside
 *   those 10 seconds gets a token, but the family still dies at the next reuse outside it.
 * - The token travels in the response body (SDK) or in an HttpOnly; Secure; SameSite=Lax
 *   cookie scoped to the refresh path (browsers); cookie calls must carry an allowed Origin.
 */
import type { RandomSource } from '../../lib/random';
import {
  formatToken,
  generateTokenSecret,
  parseToken,
  secretMatches,
} from '../secrets/one-time-secrets';

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
export const ROTATION_GRACE_SECONDS = 10;

/** The cookie that carries the refresh token in cookie mode, and the one path it is sent to. */
export const REFRESH_COOKIE_NAME = 'tollbooth_refresh';
export const REFRESH_COOKIE_PATH = '/trpc/auth.refresh';

export function newRefreshSecret(random: RandomSource) {
  return generateTokenSecret(random);
}

export const formatRefreshToken = formatToken;
export const parseRefreshToken = parseToken;
export const refreshSecretMatches = secretMatches;

export function refreshTokenExpiry(now: Date): Date {
  return new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000);
}

export function withinRotationGrace(rotatedAt: Date, now: Date): boolean {
  return now.getTime() - rotatedAt.getTime() <= ROTATION_GRACE_SECONDS * 1000;
}
