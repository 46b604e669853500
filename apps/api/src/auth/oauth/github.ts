/**
 * GitHub: OAuth 2 authorization code with PKCE (S256; GitHub supports no OIDC id_token for
 * apps), then the REST API for the profile and for the account's emails, of which only the
 * primary, verified one is used (the profile's public email may be unverified or absent).
 */
import { z } from 'zod';
import { s256Challenge } from './pkce';
import { OAuthExchangeError, type OAuthProvider, providerFetch } from './providers';

const ZToken = z.object({ access_token: z.string().min(1) });
const ZUser = z.object({
  id: z.union([z.number(), z.string()]),
  name: z.string().nullable().optional(),
  avatar_url: z.string().nullable().optional(),
});
const ZEmails = z.array(
  z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }),
);

export function githubProvider(options: {
  clientId: string;
  clientSecret: string;
  oauthUrl: string;
  apiUrl: string;
}): OAuthProvider {
  return {
    id: 'github',
    label: 'GitHub',
    async authorizationUrl(request) {
      const url = new URL(`${options.oauthUrl}/login/oauth/authorize`);
      url.search = new URLSearchParams({
        client_id: options.clientId,
        redirect_uri: request.redirectUri,
        scope: 'read:user user:email',
        state: request.state,
        code_challenge: s256Challenge(request.codeVerifier),
        code_challenge_method: 'S256',
        allow_signup: 'true',
      }).toString();
      return url.toString();
    },
    async exchange({ code, redirectUri, codeVerifier }) {
      const response = await providerFetch(`${options.oauthUrl}/login/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          client_id: options.clientId,
          client_secret: options.clientSecret,
          code,
          redirect_uri: redirectUri,
          code_verifier: codeVerifier,
        }),
      });
      const token = ZToken.safeParse(response);
      if (!token.success) throw new OAuthExchangeError('GitHub refused the code');
      const headers = {
        authorization: `Bearer ${token.data.access_token}`,
        accept: 'application/vnd.github+json',
        'user-agent': 'tollbooth',
      };
      const user = ZUser.parse(await providerFetch(`${options.apiUrl}/user`, { headers }));
      const emails = ZEmails.parse(
        await providerFetch(`${options.apiUrl}/user/emails`, { headers }),
      );
      const primary = emails.find((entry) => entry.primary && entry.verified);
      return {
        providerAccountId: String(user.id),
        email: primary?.email ?? null,
        emailVerified: primary !== undefined,
        name: user.name ?? null,
        imageUrl: user.avatar_url ?? null,
      };
    },
  };
}
