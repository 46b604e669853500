/**
 * One-time secrets for email flows: verification links, password reset links, magic links,
 * OAuth exchange codes (all "tokens") and 6-digit login codes.
 *
 * Security model
 * - A token is `<row id>.<secret>`: 32 random bytes (256 bits) of secret, base64url. 2^256
 *   possibilities make guessing hopeless, so tokens need no attempt counter. Redeeming is one
 *   UPDATE that matches id, purpose and SHA-256(secret) and consumes the row: the database
 *   compares digests, not secrets. Its timing could at most tell how many leading bytes of
 *   SHA-256(guess) match the stored digest; a guesser picks guesses, not digests, and even the
 *   whole digest is a 2^256 preimage away from the secret. Login codes (20 bits) and refresh
 *   tokens are still compared in constant time, in process.
 * - A login code has only 10^6 values (~20 bits), so it is attempt-limited: 5 wrong tries
 *   kill it, it lives 10 minutes, and a new request replaces the previous code. An attacker
 *   who guesses 5 times per code and may request a code at most N times an hour (rate limit)
 *   wins with probability about 5·N / 10^6 per hour: 0.01 % for N = 20.
 * - Tokens are stored as SHA-256: with 256 bits of secret that is as good as a slow hash
 *   (nothing to brute-force). A code is stored as HMAC-SHA256 under the server key's
 *   login-code subkey (server-key.ts): as a plain hash, a leaked table would give up every
 *   pending code after at most 10^6 SHA-256s; keyed, a database reader without the key has
 *   nothing to try.
 * - Every secret is single-use (`consumed_at` set in the same transaction that acts on it)
 *   and expires; the caller locks the row (`FOR UPDATE`) so two concurrent uses cannot both
 *   succeed.
 */

import { createHmac } from 'node:crypto';
import type { OneTimeSecretPurpose } from '@tollbooth/db';
import { constantTimeEqual, sha256 } from '../../lib/hash';
import type { RandomSource } from '../../lib/random';

/** How long each kind of secret stays valid, in seconds. */
export const SECRET_TTL_SECONDS: Record<OneTimeSecretPurpose, number> = {
  // A day: people verify from another device, later. A verification link only proves that
  // someone reads the address an account registered with; it signs nobody in.
  email_verification: 24 * 60 * 60,
  // Short: a reset link in a mailbox is a key to the account.
  password_reset: 30 * 60,
  login_code: 10 * 60,
  // A magic link IS a sign-in: whoever opens it holds a session. As short as a code, long
  // enough for mail to arrive and be opened on the same device.
  magic_link: 10 * 60,
  // The SDK exchanges it right after the redirect.
  oauth_exchange: 2 * 60,
};

/** Wrong guesses a login code survives; the fifth wrong one kills it. */
export const LOGIN_CODE_MAX_ATTEMPTS = 5;

const TOKEN_SECRET_BYTES = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface GeneratedToken {
  /** The secret half; the full token is `formatToken(id, secret)` once the row has an id. */
  secret: string;
  hash: Buffer;
}

export function generateTokenSecret(random: RandomSource): GeneratedToken {
  const secret = random.bytes(TOKEN_SECRET_BYTES).toString('base64url');
  return { secret, hash: sha256(secret) };
}

export function formatToken(id: string, secret: string): string {
  return `${id}.${secret}`;
}

/** Splits a presented token; null when it cannot be one of ours (no lookup needed). */
export function parseToken(token: string): { id: string; secret: string } | null {
  const [id, secret, ...rest] = token.split('.');
  if (rest.length > 0 || !id || !secret || !UUID.test(id) || !SECRET.test(secret)) return null;
  return { id, secret };
}

/** A code as stored: HMAC-SHA256 under the login-code subkey (ServerKeys.loginCode). */
export function hashLoginCode(key: Buffer, code: string): Buffer {
  return createHmac('sha256', key).update(code, 'utf8').digest();
}

export function generateLoginCode(
  random: RandomSource,
  key: Buffer,
): { code: string; hash: Buffer } {
  const code = String(random.int(1_000_000)).padStart(6, '0');
  return { code, hash: hashLoginCode(key, code) };
}

export function secretMatches(presented: string, storedHash: Buffer): boolean {
  return constantTimeEqual(sha256(presented), storedHash);
}

export function loginCodeMatches(key: Buffer, presented: string, storedHash: Buffer): boolean {
  return constantTimeEqual(hashLoginCode(key, presented), storedHash);
}

export function secretExpiry(purpose: OneTimeSecretPurpose, now: Date): Date {
  return new Date(now.getTime() + SECRET_TTL_SECONDS[purpose] * 1000);
}
