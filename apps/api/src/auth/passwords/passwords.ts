/**
 * Password hashing.
 *
 * Security model
 * - argon2id with OWASP's minimum parameters: m = 19 MiB, t = 2, p = 1. One hash costs about
 *   40 ms of one core here: an attacker with a leaked table pays the same per guess, and
 *   memory-hardness blunts GPUs. The work never runs on the event loop (see
 *   password-hasher.ts for where it runs).
 * - Hashes are PHC strings carrying their parameters and a random 16-byte salt; when the
 *   parameters here change, a successful login rehashes (needsRehash) so stored hashes follow.
 * - Policy: 8 to 128 characters (128 bounds the work a request can cause), not one of the
 *   10,000 most common passwords (common-passwords.ts), never the account email itself.
 *   Longer passphrases beat composition rules (NIST 800-63B).
 * - Unknown accounts are checked against a dummy hash of the same parameters, so a login for
 *   an unknown email costs the same time as a wrong password (no enumeration by timing).
 */

import { normalizeEmail } from '../../lib/email';
import { loadArgon2 } from './argon2-binding';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** argon2's own numbering of its variants: 2 is argon2id. */
const ARGON2ID = 2;
/** The argon2 version these parameters are for (0x13, the current one). */
const ARGON2_VERSION = 19;

export const HASH_OPTIONS = {
  type: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Where the argon2 work happens: in this process's thread pool, or a helper process. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a malformed stored hash (never a 500). */
  verify(hash: string, password: string): Promise<boolean>;
  /** Resolves once hashing works; rejects with a NativeModuleError when argon2 cannot load. */
  ready?(): Promise<void>;
  close?(): Promise<void>;
}

/** argon2 on this process's libuv thread pool. */
export const inlinePasswordHasher: PasswordHasher = {
  hash: async (password) => (await loadArgon2()).hash(password, HASH_OPTIONS),
  async verify(hash, password) {
    const argon2 = await loadArgon2();
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  },
  ready: async () => {
    await loadArgon2();
  },
};

/** `$argon2id$v=19$m=19456,p=1,t=2$<salt>$<hash>`: the PHC string argon2 produces. */
const PHC = /^\$(argon2(?:id|i|d))\$v=(\d+)\$([a-z]=\d+(?:,[a-z]=\d+)*)\$/;

/**
 * Whether a stored hash was made with other parameters than today's (then a successful
 * login rehashes it). Read from the PHC string itself, so checking needs no native code.
 */
export function passwordNeedsRehash(hash: string): boolean {
  const match = PHC.exec(hash);
  if (!match) return true;
  const [, variant, version, list = ''] = match;
  const params = new Map(list.split(',').map((pair) => [pair[0], Number(pair.slice(2))]));
  return (
    variant !== 'argon2id' ||
    Number(version) !== ARGON2_VERSION ||
    params.get('m') !== HASH_OPTIONS.memoryCost ||
    params.get('t') !== HASH_OPTIONS.timeCost ||
    params.get('p') !== HASH_OPTIONS.parallelism
  );
}

const dummyHashes = new WeakMap<PasswordHasher, Promise<string>>();

/**
 * Checks the password against the stored hash, or against a dummy hash when there is none
 * (unknown account, passwordless account), so both paths take the same time.
 */
export async function checkPassword(
  hasher: PasswordHasher,
  hash: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (hash) return hasher.verify(hash, password);
  let dummy = dummyHashes.get(hasher);
  if (!dummy) {
    dummy = hasher.hash('dummy password that no account has');
    dummyHashes.set(hasher, dummy);
  }
  await hasher.verify(await dummy, password);
  return false;
}

/** The policy beyond length (which the input schema enforces): a message, or null when fine. */
export function passwordPolicyViolation(password: string, email: string): string | null {
  if (normalizeEmail(password) === normalizeEmail(email)) {
    return 'must not be your email address';
  }
  return null;
}
