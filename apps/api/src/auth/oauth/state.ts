/**
 * The OAuth state, bound to the browser that started the flow.
 *
 * Security model
 * - `state` (32 random bytes) goes to the provider and comes back on the callback; the same
 *   value, with the provider-leg PKCE verifier, the OIDC nonce, the validated redirect_to and
 *   the app's S256 challenge (`appChallenge`, see pkce.ts), travels in a cookie signed with
 *   our access-token key (audience "tollbooth:oauth-state", so it can never pass as an access
 *   token; key picked by verificationKeyFor, kid and alg both checked). A callback whose
 *   state differs from its cookie's (a callback forged for this browser, or delivered to
 *   another) fails with OAUTH_STATE_MISMATCH. The cookie binds the callback to the browser;
 *   the app challenge binds the exchange code to the app that will redeem it.
 * - The cookie is HttpOnly, Secure, SameSite=Lax (it must survive the top-level redirect
 *   back from the provider), scoped to /auth/oauth, and expires in 10 minutes.
 */
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { constantTimeEqual } from '../../lib/hash';
import { type KeyRing, verificationKeyFor } from '../tokens/signing-keys';

export const OAUTH_STATE_COOKIE = 'tollbooth_oauth';
export const OAUTH_STATE_TTL_SECONDS = 10 * 60;
const AUDIENCE = 'tollbooth:oauth-state';

const ZState = z.object({
  provider: z.string(),
  state: z.string(),
  codeVerifier: z.string(),
  nonce: z.string(),
  redirectTo: z.string(),
  /** The S256 challenge the app sent to /start; stored with the exchange code. */
  appChallenge: z.string(),
});

export type OAuthState = z.infer<typeof ZState>;

export async function sealState(keys: KeyRing, clock: Clock, state: OAuthState): Promise<string> {
  const now = Math.floor(clock.now().getTime() / 1000);
  return new SignJWT(state)
    .setProtectedHeader({ alg: keys.current.alg, kid: keys.current.kid })
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + OAUTH_STATE_TTL_SECONDS)
    .sign(keys.current.privateKey);
}

/** The state the cookie vouches for, or null when it is missing, forged, expired or differs. */
export async function openState(
  keys: KeyRing,
  clock: Clock,
  args: { cookie: string | undefined; provider: string; returnedState: string | undefined },
): Promise<OAuthState | null> {
  if (!args.cookie || !args.returnedState) return null;
  try {
    const { payload } = await jwtVerify(
      args.cookie,
      (header) => {
        const key = verificationKeyFor(keys, header);
        if (!key) throw new Error('unknown signing key');
        return key.publicJwk;
      },
      { audience: AUDIENCE, algorithms: ['EdDSA', 'ES256'], currentDate: clock.now() },
    );
    const state = ZState.parse(payload);
    const matches = constantTimeEqual(Buffer.from(state.state), Buffer.from(args.returnedState));
    return matches && state.provider === args.provider ? state : null;
  } catch {
    return null;
  }
}
