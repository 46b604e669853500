/**
 * NextAuth.js (v4) and Auth.js (v5) session tokens as bearer tokens, so a Next.js frontend
 * that signs users in with NextAuth can call the API with its own session token.
 *
 * Security model
 * - Both formats are JWEs with `alg: dir`, encrypted (and so authenticated) with a key
 *   derived by HKDF-SHA256 from NEXTAUTH_SECRET / AUTH_SECRET:
 *   v4 (`next-auth/jwt`): A256GCM, 32-byte key, salt "", info "NextAuth.js Generated
 *   Encryption Key"; v5 (`@auth/core/jwt`): A256CBC-HS512, 64-byte key, salt = the session
 *   cookie name ("authjs.session-token", or "__Secure-authjs.session-token" over HTTPS),
 *   info "Auth.js Generated Encryption Key (<salt>)". Only the holder of the secret can mint
 *   one, so the secret must hold 32+ random bytes (nextauth-secret.ts, checked at start-up)
 *   and be shared only with the frontend.
 * - A tampered token fails decryption; an expired one (`exp`, our clock, NextAuth's own
 *   15-second tolerance) and one made with another secret are rejected as UNAUTHENTICATED.
 * - The token's `email` names the caller, and `email_verified: true` (OIDC's claim) says the
 *   frontend's provider verified it; which account that gives, and when the address is
 *   trusted, is nextauth-bridge.ts's business. Such callers have no Tollbooth session:
 *   logout and sessions.* concern NextAuth, not us.
 * - Decrypted tokens are cached until `exp` like our own access tokens, together with the
 *   account id the bridge resolved them to, so a request is not a find-or-create.
 */
import { hkdfSync } from 'node:crypto';
import { decodeProtectedHeader, jwtDecrypt } from 'jose';
import { z } from 'zod';
import { createBoundedCache } from '../../lib/bounded-cache';
import type { Clock } from '../../lib/clock';

const V5_SALTS = ['authjs.session-token', '__Secure-authjs.session-token'] as const;
/** NextAuth's own decode tolerance. */
const CLOCK_TOLERANCE_SECONDS = 15;
const CACHE_MAX_ENTRIES = 10_000;

const ZClaims = z
  .object({
    email: z.email(),
    name: z.string().max(200).nullable().optional(),
    picture: z.string().max(2048).nullable().optional(),
    exp: z.number(),
    /** Only the boolean `true` counts: absent, `false` or a string all mean "not verified". */
    email_verified: z.unknown().optional(),
  })
  .transform(({ email_verified, ...claims }) => ({
    ...claims,
    emailVerified: email_verified === true,
  }));

export type NextAuthIdentity = z.output<typeof ZClaims>;

export interface NextAuthTokens {
  /** The identity in a valid token; null when it is not a NextAuth token we can open. */
  decode(token: string): Promise<NextAuthIdentity | null>;
  /** The account an earlier request resolved this (still valid) token to, if any. */
  resolvedUserId(token: string): string | undefined;
  /** Remembers the account a decoded token resolved to, for as long as the token is cached. */
  rememberUserId(token: string, userId: string): void;
}

interface CachedToken {
  identity: NextAuthIdentity;
  userId: string | undefined;
}

function derive(secret: string, salt: string, info: string, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, salt, info, length));
}

/** A compact JWE has five parts (a JWS, like our access tokens, has three). */
export function looksLikeJwe(token: string): boolean {
  return token.split('.').length === 5;
}

export function createNextAuthTokens(options: { secret: string; clock: Clock }): NextAuthTokens {
  const v4Key = derive(options.secret, '', 'NextAuth.js Generated Encryption Key', 32);
  const v5Keys = V5_SALTS.map((salt) =>
    derive(options.secret, salt, `Auth.js Generated Encryption Key (${salt})`, 64),
  );
  const cache = createBoundedCache<CachedToken>(CACHE_MAX_ENTRIES);
  const isFresh = (entry: CachedToken) =>
    entry.identity.exp + CLOCK_TOLERANCE_SECONDS > options.clock.now().getTime() / 1000;

  async function open(token: string, key: Uint8Array, enc: string) {
    try {
      const { payload } = await jwtDecrypt(token, key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: [enc],
        currentDate: options.clock.now(),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const claims = ZClaims.safeParse(payload);
      return claims.success ? claims.data : null;
    } catch {
      return null;
    }
  }

  return {
    async decode(token) {
      let expired = false;
      const cached = cache.get(token, (entry) => {
        expired = !isFresh(entry);
        return !expired;
      });
      if (cached) return cached.identity;
      if (expired) return null;
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        return null;
      }
      if (header.alg !== 'dir') return null;
      let identity: NextAuthIdentity | null = null;
      if (header.enc === 'A256GCM') identity = await open(token, v4Key, 'A256GCM');
      if (header.enc === 'A256CBC-HS512') {
        for (const key of v5Keys) {
          identity = await open(token, key, 'A256CBC-HS512');
          if (identity) break;
        }
      }
      if (identity) cache.set(token, { identity, userId: undefined });
      return identity;
    },
    resolvedUserId(token) {
      return cache.get(token, isFresh)?.userId;
    },
    rememberUserId(token, userId) {
      const entry = cache.get(token, isFresh);
      if (entry) entry.userId = userId;
    },
  };
}
