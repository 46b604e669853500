/**
 * Access tokens: short-lived JWTs that prove who is calling without a session lookup per
 * token check.
 *
 * Security model
 * - Signed with the key ring's current asymmetric key (EdDSA or ES256), `kid` in the header;
 *   claims `sub` (user id), `email`, `role`, `sid` (the session / refresh-token family), plus
 *   `iss` (PUBLIC_URL), `aud` ("tollbooth"), `iat`, `exp`.
 * - 15 minutes: short enough that a stolen token is worth little, long enough that the SDK
 *   refreshes rarely. Revocation does not wait for expiry: every authenticated request also
 *   checks that `sid` is still live (one query, joined with the user row).
 * - Verification accepts only EdDSA and ES256 and only a known `kid`: `alg: none`, HMAC
 *   algorithms (the "public key as HMAC secret" attack), unknown keys, bad signatures and
 *   expired tokens all fail as UNAUTHENTICATED.
 * - Verified tokens are cached until their `exp` (lib/bounded-cache.ts: size-bounded, oldest
 *   entry dropped first): a token's signature never changes validity, so re-verifying it on
 *   every request only costs CPU. Expiry is still checked against the clock on every hit.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from '../../errors/app-error';
import { createBoundedCache } from '../../lib/bounded-cache';
import type { Clock } from '../../lib/clock';
import { type KeyRing, verificationKeyFor } from './signing-keys';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const ACCESS_TOKEN_AUDIENCE = 'tollbooth';
/** ~10k entries of ~1 KB: a few MB at most, far more tokens than one process sees in 15 min. */
const VERIFIED_CACHE_MAX_ENTRIES = 10_000;

const ZClaims = z.object({
  sub: z.uuid(),
  email: z.string(),
  role: z.enum(['user', 'admin']),
  sid: z.uuid(),
  exp: z.number(),
});

export interface AccessTokenClaims {
  sub: string;
  email: string;
  role: 'user' | 'admin';
  sid: string;
}

export interface VerifiedAccessToken extends AccessTokenClaims {
  /** Seconds since the epoch. */
  exp: number;
}

export interface AccessTokens {
  sign(claims: AccessTokenClaims): Promise<{ token: string; expiresAt: Date }>;
  /** Throws AppError UNAUTHENTICATED for anything but a valid, unexpired token of ours. */
  verify(token: string): Promise<VerifiedAccessToken>;
}

function unauthenticated(reason: string): AppError {
  return new AppError('UNAUTHENTICATED', reason);
}

export function createAccessTokens(options: {
  keys: () => Promise<KeyRing>;
  issuer: string;
  clock: Clock;
}): AccessTokens {
  const { clock, issuer } = options;
  const cache = createBoundedCache<VerifiedAccessToken>(VERIFIED_CACHE_MAX_ENTRIES);

  return {
    async sign(claims) {
      const ring = await options.keys();
      const now = Math.floor(clock.now().getTime() / 1000);
      const exp = now + ACCESS_TOKEN_TTL_SECONDS;
      const token = await new SignJWT({ email: claims.email, role: claims.role, sid: claims.sid })
        .setProtectedHeader({ alg: ring.current.alg, kid: ring.current.kid, typ: 'JWT' })
        .setSubject(claims.sub)
        .setIssuer(issuer)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(ring.current.privateKey);
      return { token, expiresAt: new Date(exp * 1000) };
    },

    async verify(token) {
      const nowSeconds = clock.now().getTime() / 1000;
      let expired = false;
      const cached = cache.get(token, (entry) => {
        expired = entry.exp <= nowSeconds;
        return !expired;
      });
      if (cached) return cached;
      if (expired) throw unauthenticated('The access token has expired');
      const ring = await options.keys();
      try {
        const { payload } = await jwtVerify(
          token,
          (header) => {
            const key = verificationKeyFor(ring, header);
            if (!key) throw unauthenticated('Unknown signing key');
            return key.publicJwk;
          },
          {
            algorithms: ['EdDSA', 'ES256'],
            issuer,
            audience: ACCESS_TOKEN_AUDIENCE,
            currentDate: clock.now(),
            clockTolerance: 0,
          },
        );
        const claims = ZClaims.safeParse(payload);
        if (!claims.success) throw unauthenticated('The access token lacks required claims');
        cache.set(token, claims.data);
        return claims.data;
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof errors.JWTExpired)
          throw unauthenticated('The access token has expired');
        throw unauthenticated('The access token is invalid');
      }
    },
  };
}
