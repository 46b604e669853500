/**
 * The server key (AUTH_SECRET_KEY): the one secret that lives with the server and never in
 * the database, so that a database reader cannot turn what is stored back into something
 * usable.
 *
 * Security model
 * - At least 32 random bytes (256 bits). Two subkeys are derived with HKDF-SHA256 (RFC 5869),
 *   each under its own label, so a value computed for one use is never valid for the other:
 *     loginCode        = HKDF(key, info "tollbooth/login-code/v1")
 *     refreshSuccessor = HKDF(key, info "tollbooth/refresh-successor/v1")
 * - Login codes are stored as HMAC-SHA256(loginCode, code). A 6-digit code has only 10^6
 *   values: as a plain SHA-256, a leaked table falls to 10^6 hashes (well under a second).
 *   Keyed, each guess needs the key, and guessing the key is 2^256 work.
 * - Refresh-token successors are derived with refreshSuccessor (see tokens/refresh-tokens.ts).
 * - Production must set the variable (the worker that mails codes and the API that checks them
 *   need the same key). Development generates one and keeps it in `.data/auth-secret-key`, like
 *   the JWT keys; tests draw one per process, in memory (two apps of one test file agree).
 * - Changing the key invalidates pending login codes (10 minutes) and refresh retries inside
 *   the 10 s grace window; nothing else (refresh tokens are stored as plain SHA-256).
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { devDataPath } from '../../lib/repo-root';

/** The minimum: a key shorter than the HMAC output would be the weakest link. */
export const AUTH_SECRET_KEY_MIN_BYTES = 32;

export interface ServerKeys {
  /** HMAC key for login codes at rest. */
  loginCode: Buffer;
  /** HMAC key that derives a refresh token's successor from the token. */
  refreshSuccessor: Buffer;
}

const LABELS = {
  loginCode: 'tollbooth/login-code/v1',
  refreshSuccessor: 'tollbooth/refresh-successor/v1',
} as const;

function subkey(key: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), label, 32));
}

export function deriveServerKeys(key: Buffer): ServerKeys {
  return {
    loginCode: subkey(key, LABELS.loginCode),
    refreshSuccessor: subkey(key, LABELS.refreshSuccessor),
  };
}

/**
 * Decodes AUTH_SECRET_KEY: hex when it is only hex digits, base64 (or base64url) otherwise.
 * Null when it is neither, shorter than 32 bytes, or one byte repeated (a placeholder).
 */
export function decodeServerKey(value: string): Buffer | null {
  let bytes: Buffer;
  if (/^(?:[0-9a-f]{2})+$/i.test(value)) bytes = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) bytes = Buffer.from(value, 'base64');
  else return null;
  if (bytes.length < AUTH_SECRET_KEY_MIN_BYTES) return null;
  if (bytes.every((byte) => byte === bytes[0])) return null;
  return bytes;
}

const DEV_KEY_FILE = devDataPath('auth-secret-key');

let testKey: Buffer | undefined;

export function loadServerKeys(source: {
  authSecretKey: Buffer | undefined;
  nodeEnv: 'development' | 'test' | 'production';
}): ServerKeys {
  if (source.authSecretKey) return deriveServerKeys(source.authSecretKey);
  if (source.nodeEnv === 'production') throw new Error('AUTH_SECRET_KEY is required');
  if (source.nodeEnv === 'test') {
    testKey ??= randomBytes(32);
    return deriveServerKeys(testKey);
  }
  if (!existsSync(DEV_KEY_FILE)) {
    mkdirSync(path.dirname(DEV_KEY_FILE), { recursive: true });
    writeFileSync(DEV_KEY_FILE, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  const stored = decodeServerKey(readFileSync(DEV_KEY_FILE, 'utf8').trim());
  if (!stored) throw new Error(`${DEV_KEY_FILE} holds no valid key; delete it to make a new one`);
  return deriveServerKeys(stored);
}
