/**
 * Issuing and redeeming one-time secrets (see one-time-secrets.ts for the security model).
 * Redeeming runs inside the caller's transaction and locks the row, so the action the secret
 * authorises and its consumption commit together, exactly once.
 */
import type { Database, OneTimeSecret, OneTimeSecretPurpose, User } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { AppError } from '../../errors/app-error';
import { sha256 } from '../../lib/hash';
import type { RandomSource } from '../../lib/random';
import {
  formatToken,
  generateLoginCode,
  generateTokenSecret,
  LOGIN_CODE_MAX_ATTEMPTS,
  loginCodeMatches,
  parseToken,
  secretExpiry,
} from './one-time-secrets';
import {
  consumeSecret,
  consumeSecretMatching,
  consumeSecretMatchingWithUser,
  findPendingCodeForUpdate,
  insertOneTimeSecret,
  recordFailedAttempt,
  retirePendingSecrets,
} from './secrets.queries';

type Db = Kysely<Database>;
type TokenPurpose = Exclude<OneTimeSecretPurpose, 'login_code'>;

interface IssueArgs {
  purpose: TokenPurpose;
  email: string;
  userId: string | null;
  now: Date;
  random: RandomSource;
  /**
   * OAuth exchange codes: the digest the redeemer's verifier must hash to (oauth/pkce.ts);
   * `redeemToken` returns it in `binding_hash` for the caller to check.
   */
  binding?: Buffer;
}

/** A new link token; earlier pending ones of the same purpose for this address stop working. */
export async function issueToken(db: Db, args: IssueArgs): Promise<string> {
  const { secret, hash } = generateTokenSecret(args.random);
  if (args.purpose !== 'oauth_exchange') {
    await retirePendingSecrets(db, { email: args.email, purpose: args.purpose, at: args.now });
  }
  const row = await insertOneTimeSecret(db, {
    purpose: args.purpose,
    email: args.email,
    user_id: args.userId,
    secret_hash: hash,
    binding_hash: args.binding ?? null,
    created_at: args.now,
    expires_at: secretExpiry(args.purpose, args.now),
  });
  return formatToken(row.id, secret);
}

/** `key` is the login-code subkey (ServerKeys.loginCode): codes are stored keyed. */
export async function issueLoginCode(
  db: Db,
  args: Omit<IssueArgs, 'purpose'> & { key: Buffer },
): Promise<string> {
  const { code, hash } = generateLoginCode(args.random, args.key);
  await retirePendingSecrets(db, { email: args.email, purpose: 'login_code', at: args.now });
  await insertOneTimeSecret(db, {
    purpose: 'login_code',
    email: args.email,
    user_id: args.userId,
    secret_hash: hash,
    created_at: args.now,
    expires_at: secretExpiry('login_code', args.now),
  });
  return code;
}

interface RedeemArgs {
  purpose: TokenPurpose;
  token: string;
  now: Date;
}

function invalidToken(): AppError {
  return new AppError('INVALID_TOKEN', 'This link is invalid or was already used');
}

function consumeArgs(args: RedeemArgs) {
  const parsed = parseToken(args.token);
  if (!parsed) return null;
  return { id: parsed.id, purpose: args.purpose, hash: sha256(parsed.secret), at: args.now };
}

/**
 * A genuine token past its expiry says so (the holder of a real link asks for a new one; a
 * guesser learns nothing). It was consumed by the same statement that found it: throwing
 * rolls the caller's transaction back, so it stays as it was.
 */
function assertUnexpired(expiresAt: Date, now: Date) {
  if (expiresAt <= now) {
    throw new AppError('TOKEN_EXPIRED', 'This link has expired; request a new one');
  }
}

/**
 * Consumes a link token of the given purpose, in one statement (see secrets.queries.ts).
 * Unknown, malformed, used and mismatching tokens all fail the same way (INVALID_TOKEN).
 */
export async function redeemToken(db: Db, args: RedeemArgs): Promise<OneTimeSecret> {
  const consume = consumeArgs(args);
  const row = consume ? await consumeSecretMatching(db, consume) : undefined;
  if (!row) throw invalidToken();
  assertUnexpired(row.expires_at, args.now);
  return row;
}

/** What a redeemed token says besides its account. */
export type RedeemedSecret = Pick<OneTimeSecret, 'id' | 'email' | 'expires_at' | 'binding_hash'>;

/**
 * As redeemToken, for tokens that act on an account (password reset, OAuth exchange): the
 * account comes back from the same statement, locked FOR UPDATE. A token whose account is
 * gone is INVALID_TOKEN.
 */
export async function redeemTokenWithUser(
  db: Db,
  args: RedeemArgs,
): Promise<{ secret: RedeemedSecret; user: User }> {
  const consume = consumeArgs(args);
  const row = consume ? await consumeSecretMatchingWithUser(db, consume) : undefined;
  if (!row) throw invalidToken();
  const { secret_id, secret_email, secret_expires_at, secret_binding_hash, ...user } = row;
  assertUnexpired(secret_expires_at, args.now);
  return {
    secret: {
      id: secret_id,
      email: secret_email,
      expires_at: secret_expires_at,
      binding_hash: secret_binding_hash,
    },
    user,
  };
}

export type CodeCheck = { ok: true; secret: OneTimeSecret } | { ok: false };

/**
 * Checks a login code against the newest pending code for the address. A wrong guess is
 * recorded (and kills the code at LOGIN_CODE_MAX_ATTEMPTS); the caller must commit the
 * transaction even then, and only afterwards report INVALID_CODE.
 */
export async function checkLoginCode(
  db: Db,
  args: { email: string; code: string; now: Date; key: Buffer },
): Promise<CodeCheck> {
  const row = await findPendingCodeForUpdate(db, args.email);
  if (!row || row.expires_at <= args.now) return { ok: false };
  if (!loginCodeMatches(args.key, args.code, row.secret_hash)) {
    await recordFailedAttempt(db, row.id, LOGIN_CODE_MAX_ATTEMPTS, args.now);
    return { ok: false };
  }
  await consumeSecret(db, row.id, args.now);
  return { ok: true, secret: row };
}
