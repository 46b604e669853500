/**
 * OAuth sign-in ("Sign in with Google / GitHub") from a browser app, bound to the tab that
 * started it.
 *
 * Security model
 * - The API hands the app a one-time exchange code on the redirect back, not tokens. Anyone
 *   could finish a flow for their own account and plant that code in someone else's app
 *   (login CSRF: the victim would be signed in as the attacker), so the code is bound:
 *   `startOAuthSignIn` draws a verifier (32 random bytes), keeps it in sessionStorage and
 *   sends only its SHA-256 (S256 challenge) to the API's /start; `completeOAuthSignIn`
 *   reads it back, forgets it, and presents it with the code. A planted code meets this
 *   tab's verifier, not the attacker's, and the API refuses (and burns) it.
 * - sessionStorage is per tab and survives the redirect through the provider; the verifier
 *   never leaves this origin except to the API's exchange call. No cookie is involved, so
 *   the app and the API may be on different origins.
 */
import type { RouterOutputs } from '@tollbooth/api/types';
import type { TollboothClient } from './client';
import type { StorageLike } from './token-store';

export type OAuthProviderId = 'google' | 'github';

const VERIFIER_KEY = 'tollbooth.oauth.verifier';
const VERIFIER_BYTES = 32;

export interface StartOAuthSignInOptions {
  /** Base URL of the Tollbooth API, as given to `createTollboothClient`. */
  url: string;
  provider: OAuthProviderId;
  /** The app page the API sends the browser back to (APP_URL's origin or ALLOWED_ORIGINS). */
  redirectTo?: string;
  /** Where the verifier waits for the redirect back; `globalThis.sessionStorage` by default. */
  storage?: StorageLike;
}

export interface CompleteOAuthSignInOptions {
  /** The `code` query parameter of the page the API redirected back to. */
  code: string;
  /** The storage `startOAuthSignIn` used. */
  storage?: StorageLike;
}

function verifierStorage(storage: StorageLike | undefined): StorageLike {
  const found = storage ?? globalThis.sessionStorage;
  if (!found) throw new Error('OAuth sign-in needs window.sessionStorage or a storage option');
  return found;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function s256Challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/**
 * Starts a sign-in: stores a fresh verifier (replacing any earlier one of this tab) and
 * returns the URL to send the browser to, e.g. `window.location.assign(url)`.
 */
export async function startOAuthSignIn(options: StartOAuthSignInOptions): Promise<string> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(VERIFIER_BYTES)));
  verifierStorage(options.storage).setItem(VERIFIER_KEY, verifier);
  const base = options.url.replace(/\/+$/, '');
  const url = new URL(`${base}/auth/oauth/${encodeURIComponent(options.provider)}/start`);
  if (options.redirectTo !== undefined) url.searchParams.set('redirect_to', options.redirectTo);
  url.searchParams.set('code_challenge', await s256Challenge(verifier));
  return url.toString();
}

/**
 * Finishes a sign-in on the page the API redirected back to: trades the code, with this
 * tab's verifier, for tokens (the client's token store keeps them). Fails with the API's
 * INVALID_TOKEN for a code this tab did not start (or a second use), which the page should
 * treat as "sign-in failed, try again".
 */
export async function completeOAuthSignIn(
  client: TollboothClient,
  options: CompleteOAuthSignInOptions,
): Promise<RouterOutputs['auth']['exchangeOAuthCode']> {
  const storage = verifierStorage(options.storage);
  // Single use: gone before the call, so a second code cannot reuse it.
  const verifier = storage.getItem(VERIFIER_KEY) ?? undefined;
  storage.removeItem(VERIFIER_KEY);
  // Sent even without a verifier: the API then refuses and burns the code.
  return client.auth.exchangeOAuthCode.mutate({ code: options.code, verifier });
}
