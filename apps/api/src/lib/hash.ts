import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * SHA-256 of a high-entropy secret. Enough for tokens with 256 bits of entropy (no salt or
 * slow hash needed: nothing to brute-force); passwords use argon2id instead.
 */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Equality whose running time does not depend on where the inputs first differ. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
