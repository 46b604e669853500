/**
 * Whether a NextAuth.js / Auth.js secret (NEXTAUTH_SECRET, AUTH_SECRET) is strong enough to
 * accept at start-up.
 *
 * Security model
 * - Whoever knows the secret mints session tokens for any address: the encryption key is
 *   HKDF(secret), and HKDF adds no entropy. An attacker who can guess the secret offline
 *   (one decryption per guess against any captured token) owns every bridged account.
 * - So the secret must carry at least 32 bytes (256 bits) of randomness, what
 *   `openssl rand -base64 32`, `openssl rand -hex 32` and `npx auth secret` print.
 * - Its randomness is estimated from its alphabet, since that is all one can see: a hex
 *   string holds 4 bits a character (64 characters needed), a base64/base64url string 6 bits
 *   (43 characters); anything else is taken as raw text at one byte a character, provided it
 *   mixes at least 16 different characters. A string that repeats a shorter pattern
 *   (`aaaa…`, `abcabc…`, `secretsecret…`) holds no more than that pattern and is refused.
 */

export const MIN_SECRET_BYTES = 32;
/** A raw string must mix this many characters to count as one byte each. */
const MIN_DISTINCT_RAW_CHARACTERS = 16;

const HEX = /^[0-9a-f]+$/i;
const BASE64 = /^[A-Za-z0-9+/]+$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** True when `value` is a shorter pattern repeated (the last copy may be cut short). */
function repeatsAPattern(value: string): boolean {
  for (let period = 1; period <= value.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < value.length && repeats; i++) {
      repeats = value[i] === value[i - period];
    }
    if (repeats) return true;
  }
  return false;
}

/** How many bytes of randomness `value` can hold at most, judged by its alphabet. */
function randomBytesIn(value: string): number {
  if (HEX.test(value)) return Math.floor(value.length / 2);
  const unpadded = value.replace(/={1,2}$/, '');
  if (BASE64.test(unpadded) || BASE64URL.test(unpadded)) {
    return Math.floor((unpadded.length * 6) / 8);
  }
  return new Set(value).size >= MIN_DISTINCT_RAW_CHARACTERS ? value.length : 0;
}

/** Whether a NextAuth secret holds at least MIN_SECRET_BYTES of randomness. */
export function isStrongNextAuthSecret(value: string): boolean {
  return randomBytesIn(value) >= MIN_SECRET_BYTES && !repeatsAPattern(value);
}
