/**
 * The subject a per-address limit counts: the address case-insensitively, as SHA-256, so the
 * rate-limit table holds no plaintext email and every key stays short.
 */
import { normalizeEmail } from '../../lib/email';
import { sha256 } from '../../lib/hash';

export function emailSubject(email: string): string {
  return sha256(normalizeEmail(email)).toString('hex');
}
