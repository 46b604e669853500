/**
 * The key ring that signs and verifies access tokens.
 *
 * Security model
 * - Asymmetric keys (Ed25519 → EdDSA, or P-256 → ES256): other services verify our tokens
 *   with the public half from GET /.well-known/jwks.json and cannot mint any.
 * - JWT_PRIVATE_KEYS is a JWK set. The first key signs; every key verifies. To rotate, put a
 *   new key first and keep the old one until the last token it signed has expired (15
 *   minutes), then drop it: nobody is logged out.
 * - Each key has a `kid` (its RFC 7638 thumbprint unless given) carried in the token header,
 *   so verification picks the key by id and never tries keys in turn, and takes it only when
 *   the header names that key's own algorithm (`verificationKeyFor`, used for every token).
 * - Development generates one key and keeps it in `.data/jwt-keys.json` so tokens survive a
 *   reload; tests generate one in memory per process. Production must set the variable.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { devDataPath } from '../../lib/repo-root';

export type SigningAlgorithm = 'EdDSA' | 'ES256';

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface KeyRing {
  /** The key new tokens are signed with. */
  current: SigningKey;
  byKid: ReadonlyMap<string, SigningKey>;
  /** The public JWK set served at /.well-known/jwks.json. */
  jwks: { keys: JWK[] };
}

/**
 * The key that verifies a token with this header: a known `kid` whose algorithm is the one
 * the header names, or undefined. The one key-ring lookup for every token we sign (access
 * tokens, the OAuth state cookie): picking by kid alone would let a header pair a key with
 * an algorithm it was never meant for.
 */
export function verificationKeyFor(
  ring: KeyRing,
  header: { kid?: string | undefined; alg?: string | undefined },
): SigningKey | undefined {
  const key = header.kid === undefined ? undefined : ring.byKid.get(header.kid);
  return key && key.alg === header.alg ? key : undefined;
}

function algorithmOf(key: KeyObject): SigningAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`JWT_PRIVATE_KEYS: unsupported key type ${type}; use Ed25519 or P-256`);
}

async function toSigningKey(jwk: JsonWebKey & { kid?: string }): Promise<SigningKey> {
  if (typeof jwk.d !== 'string') throw new Error('JWT_PRIVATE_KEYS: every key must be private');
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  const alg = algorithmOf(privateKey);
  const exported = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicJwk: JWK = { ...exported };
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  return { kid, alg, privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

export async function keyRingFromJwks(json: string): Promise<KeyRing> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('JWT_PRIVATE_KEYS must be a JSON JWK set ({"keys":[…]})');
  }
  const list =
    typeof parsed === 'object' && parsed !== null && 'keys' in parsed ? parsed.keys : parsed;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error('JWT_PRIVATE_KEYS must hold at least one key');
  }
  const keys = await Promise.all(list.map((jwk: JsonWebKey) => toSigningKey(jwk)));
  const [current] = keys;
  if (!current) throw new Error('JWT_PRIVATE_KEYS must hold at least one key');
  return {
    current,
    byKid: new Map(keys.map((key) => [key.kid, key])),
    jwks: { keys: keys.map((key) => key.publicJwk) },
  };
}

/** A new Ed25519 private key as a one-key JWK set (also what `pnpm auth:keygen` prints). */
export function generateJwks(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return JSON.stringify({ keys: [privateKey.export({ format: 'jwk' })] });
}

const DEV_KEY_FILE = devDataPath('jwt-keys.json');

export interface KeySource {
  jwtPrivateKeys: string | undefined;
  nodeEnv: 'development' | 'test' | 'production';
}

export function loadKeyRing(source: KeySource): Promise<KeyRing> {
  if (source.jwtPrivateKeys) return keyRingFromJwks(source.jwtPrivateKeys);
  if (source.nodeEnv === 'production') throw new Error('JWT_PRIVATE_KEYS is required');
  if (source.nodeEnv === 'test') return keyRingFromJwks(generateJwks());
  if (!existsSync(DEV_KEY_FILE)) {
    mkdirSync(path.dirname(DEV_KEY_FILE), { recursive: true });
    writeFileSync(DEV_KEY_FILE, generateJwks(), { mode: 0o600 });
  }
  return keyRingFromJwks(readFileSync(DEV_KEY_FILE, 'utf8'));
}
