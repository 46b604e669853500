/**
 * Google (any OpenID Connect issuer): discovery document, authorization code with PKCE
 * (S256) and a nonce, id_token verified against the issuer's JWKS (signature, issuer,
 * audience = our client id, expiry, nonce). The email counts only when `email_verified`.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { s256Challenge } from './pkce';
import { OAuthExchangeError, type OAuthProvider, providerFetch } from './providers';

const ZDiscovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});

const ZTokenResponse = z.object({ id_token: z.string() });

const ZIdClaims = z.object({
  sub: z.string().min(1),
  email: z.string().optional(),
  email_verified: z.union([z.boolean(), z.literal('true'), z.literal('false')]).optional(),
  name: z.string().optional(),
  picture: z.string().optional(),
});

export function googleProvider(options: {
  clientId: string;
  clientSecret: string;
  issuerUrl: string;
  clock: Clock;
}): OAuthProvider {
  let discovery: Promise<z.infer<typeof ZDiscovery>> | undefined;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  const discover = () => {
    discovery ??= providerFetch(`${options.issuerUrl}/.well-known/openid-configuration`)
      .then((document) => ZDiscovery.parse(document))
      .catch((error: unknown) => {
        discovery = undefined;
        throw error;
      });
    return discovery;
  };

  return {
    id: 'google',
    label: 'Google',
    async authorizationUrl(request) {
      const { authorization_endpoint } = await discover();
      const url = new URL(authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: options.clientId,
        redirect_uri: request.redirectUri,
        response_type: 'code',
        scope: 'openid email profile',
        state: request.state,
        nonce: request.nonce,
        code_challenge: s256Challenge(request.codeVerifier),
        code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    },
    async exchange({ code, redirectUri, codeVerifier, nonce }) {
      const document = await discover();
      const tokens = ZTokenResponse.parse(
        await providerFetch(document.token_endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: redirectUri,
            client_id: options.clientId,
            client_secret: options.clientSecret,
            code_verifier: codeVerifier,
          }),
        }),
      );
      jwks ??= createRemoteJWKSet(new URL(document.jwks_uri));
      const { payload } = await jwtVerify(tokens.id_token, jwks, {
        issuer: document.issuer,
        audience: options.clientId,
        currentDate: options.clock.now(),
      });
      if (payload.nonce !== nonce) throw new OAuthExchangeError('id_token nonce mismatch');
      const claims = ZIdClaims.parse(payload);
      return {
        providerAccountId: claims.sub,
        email: claims.email ?? null,
        emailVerified: claims.email_verified === true || claims.email_verified === 'true',
        name: claims.name ?? null,
        imageUrl: claims.picture ?? null,
      };
    },
  };
}
