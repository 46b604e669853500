import { createHash, randomBytes } from 'node:crypto';
import type { TestApp } from '../harness';

/** What the SDK keeps in sessionStorage: 32 random bytes, base64url (RFC 7636 form). */
export function newVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** The S256 challenge /start receives for a verifier. */
export function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * The app sends the browser to /start with its verifier's challenge (null: without one); the
 * browser keeps the state cookie.
 */
export async function startFlow(
  t: TestApp,
  provider: string,
  options: { redirectTo?: string; verifier?: string | null } = {},
) {
  const verifier = options.verifier === undefined ? newVerifier() : options.verifier;
  const url = new URL(`http://tollbooth.test/auth/oauth/${provider}/start`);
  if (options.redirectTo !== undefined) url.searchParams.set('redirect_to', options.redirectTo);
  if (verifier !== null) url.searchParams.set('code_challenge', challengeOf(verifier));
  const start = await t.fetch(url);
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { start, cookie, verifier };
}

/** The provider's consent page (it consents at once): where it sends the browser back. */
export async function consent(start: Response): Promise<URL> {
  const page = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  return new URL(page.headers.get('location') ?? '');
}

/** The browser arrives at our callback carrying the cookie it holds. */
export function deliverCallback(t: TestApp, callback: URL, init: RequestInit = {}) {
  return t.fetch(`http://tollbooth.test${callback.pathname}${callback.search}`, init);
}

/**
 * Plays the browser through an OAuth sign-in: start (keeps the state cookie), follow the
 * provider's consent redirect, and deliver the callback to the app. Returns where the app
 * finally sends the browser, and the verifier the app kept for the exchange.
 */
export async function signInThroughProvider(
  t: TestApp,
  provider: string,
  options: {
    redirectTo?: string;
    tamper?: (callback: URL) => void;
    cookie?: (value: string) => string;
  } = {},
) {
  const verifier = newVerifier();
  const { start, cookie } = await startFlow(t, provider, {
    redirectTo: options.redirectTo,
    verifier,
  });
  if (start.status !== 302) return { start, final: undefined, verifier };
  const callback = await consent(start);
  options.tamper?.(callback);
  const final = await deliverCallback(t, callback, {
    headers: { cookie: options.cookie ? options.cookie(cookie) : cookie },
  });
  return { start, final, location: final.headers.get('location'), verifier };
}

/** The one-time exchange code in the URL the app was sent back to. */
export function codeFrom(location: string | null | undefined): string {
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`no code in ${location}`);
  return code;
}
