/**
 * Server API keys: the secret a product's own backend sends as `Authorization: Bearer tb_sk_…`.
 *
 * Security model
 * - A key is `tb_sk_` + lookup (8 random bytes, 16 hex characters) + secret (32 random bytes,
 *   43 base64url characters). The secret alone carries 256 bits: guessing one is hopeless, so
 *   keys need no attempt counter. The lookup part finds the row and is what admins see
 *   afterwards (`tb_sk_<lookup>…`); it is not secret and grants nothing.
 * - Only SHA-256 of the whole key is stored. With 256 bits of secret there is nothing to
 *   brute-force, so a fast hash is as good as a slow one; a leaked table gives no usable key.
 * - A presented key is found by its lookup part, then its digest is compared with the stored
 *   one in constant time. Timing can tell at most whether a lookup part exists, which is not
 *   a secret.
 * - The full key is shown once, in the answer to admin.apiKeys.create; the server cannot
 *   show it again. Revocation is a column read on every request (no cache), so it holds at
 *   once in every process (authenticate-api-key.ts).
 */
import { constantTimeEqual, sha256 } from '../lib/hash';
import type { RandomSource } from '../lib/random';

export const API_KEY_PREFIX = 'tb_sk_';

const LOOKUP_BYTES = 8;
const SECRET_BYTES = 32;
const API_KEY = /^tb_sk_([0-9a-f]{16})([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  /** The full key, for the one answer that shows it. */
  key: string;
  lookup: string;
  hash: Buffer;
}

export function generateApiKey(random: RandomSource): GeneratedApiKey {
  const lookup = random.bytes(LOOKUP_BYTES).toString('hex');
  const secret = random.bytes(SECRET_BYTES).toString('base64url');
  const key = `${API_KEY_PREFIX}${lookup}${secret}`;
  return { key, lookup, hash: sha256(key) };
}

/** Whether a bearer token is meant as an API key (so it is never parsed as a JWT). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/** The lookup part of a well-formed key; null for anything else. */
export function parseApiKey(key: string): { lookup: string } | null {
  const match = API_KEY.exec(key);
  return match?.[1] ? { lookup: match[1] } : null;
}

export function apiKeyMatches(key: string, storedHash: Buffer): boolean {
  return constantTimeEqual(sha256(key), storedHash);
}

/** How a key is shown after its creation. */
export function displayPrefix(lookup: string): string {
  return `${API_KEY_PREFIX}${lookup}`;
}
