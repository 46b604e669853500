/**
 * An OAuth provider as the sign-in flow needs it: where to send the browser, and how to turn
 * the returned code into a profile with a verified email. Google speaks OpenID Connect
 * (discovery, PKCE, a signed id_token); GitHub speaks OAuth 2 with PKCE plus its REST API.
 */
export interface OAuthProfile {
  providerAccountId: string;
  /** Only a verified address may link to or create an account. */
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  imageUrl: string | null;
}

export interface AuthorizationRequest {
  state: string;
  redirectUri: string;
  /** PKCE (RFC 7636) verifier of the provider leg; every provider gets its S256 challenge. */
  codeVerifier: string;
  nonce: string;
}

export interface OAuthProvider {
  readonly id: 'google' | 'github';
  readonly label: string;
  authorizationUrl(request: AuthorizationRequest): Promise<string>;
  exchange(args: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
    nonce: string;
  }): Promise<OAuthProfile>;
}

export class OAuthExchangeError extends Error {
  override name = 'OAuthExchangeError';
}

/** Provider calls get a bound: a hanging provider must not hold a request forever. */
export const PROVIDER_TIMEOUT_MS = 10_000;

export async function providerFetch(url: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  if (!response.ok) {
    throw new OAuthExchangeError(`${new URL(url).pathname} answered ${response.status}`);
  }
  return response.json();
}
