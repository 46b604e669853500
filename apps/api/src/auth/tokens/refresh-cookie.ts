/**
 * Cookie mode for browsers: the refresh token in an `HttpOnly; Secure; SameSite=Lax` cookie
 * that JavaScript cannot read (XSS cannot steal it). Because a cookie is sent automatically,
 * a refresh by cookie must also carry an `Origin` from ALLOWED_ORIGINS (CSRF defence on top
 * of SameSite).
 *
 * Which cookie, decided by PUBLIC_URL:
 * - https at the root of its origin (`https://api.example.com`): `__Host-tollbooth_refresh`,
 *   Path=/. Browsers accept a `__Host-` cookie only with Secure, Path=/ and no Domain, so no
 *   sibling subdomain and no plain-http page can set or overwrite it (cookie tossing would
 *   otherwise let one plant its own session in the victim's browser). The price of Path=/ is
 *   that the browser sends it with every request to the API host, not just refreshes; only
 *   auth.refresh reads it, and nothing logs cookies.
 * - Anything else (http in development, or an API served under a path such as
 *   `https://example.com/api`, where Path=/ would hand the token to every app on that host):
 *   `tollbooth_refresh`, scoped to the refresh procedure's path.
 * Moving to `__Host-`: the old cookie is still read, and a refresh that read it expires it.
 */
import { AppError } from '../../errors/app-error';

export interface RefreshCookie {
  name: string;
  path: string;
  /** The path-scoped cookie that `__Host-` replaces, still read during the move. */
  replaces: { name: string; path: string } | null;
}

const REFRESH_PATH = '/trpc/auth.refresh';
export const PATH_SCOPED_COOKIE_NAME = 'tollbooth_refresh';
export const HOST_COOKIE_NAME = '__Host-tollbooth_refresh';

export function refreshCookieFor(config: { publicUrl: string }): RefreshCookie {
  const url = new URL(config.publicUrl);
  const base = url.pathname.replace(/\/+$/, '');
  const scoped = { name: PATH_SCOPED_COOKIE_NAME, path: `${base}${REFRESH_PATH}` };
  if (url.protocol !== 'https:' || base !== '') return { ...scoped, replaces: null };
  return { name: HOST_COOKIE_NAME, path: '/', replaces: scoped };
}

const ATTRIBUTES = 'HttpOnly; Secure; SameSite=Lax';

export function setRefreshCookie(
  headers: Headers,
  cookie: RefreshCookie,
  token: string,
  expiresAt: Date,
  now: Date,
) {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  headers.append(
    'set-cookie',
    `${cookie.name}=${token}; Path=${cookie.path}; Max-Age=${maxAge}; ${ATTRIBUTES}`,
  );
}

function expire(headers: Headers, name: string, path: string) {
  headers.append('set-cookie', `${name}=; Path=${path}; Max-Age=0; ${ATTRIBUTES}`);
}

/** Expires the cookie, and the one it replaces (a browser may hold either). */
export function clearRefreshCookie(headers: Headers, cookie: RefreshCookie) {
  expire(headers, cookie.name, cookie.path);
  if (cookie.replaces) expire(headers, cookie.replaces.name, cookie.replaces.path);
}

/** After a refresh that read the replaced cookie: the browser keeps only the new one. */
export function expireReplacedCookie(headers: Headers, cookie: RefreshCookie) {
  if (cookie.replaces) expire(headers, cookie.replaces.name, cookie.replaces.path);
}

function cookieValue(cookieHeader: string, name: string): string | null {
  for (const part of cookieHeader.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || null;
  }
  return null;
}

/** The token from the request's cookies; `replaced` when it came under the old name. */
export function readRefreshCookie(
  cookieHeader: string | null,
  cookie: RefreshCookie,
): { token: string; replaced: boolean } | null {
  if (!cookieHeader) return null;
  const current = cookieValue(cookieHeader, cookie.name);
  if (current) return { token: current, replaced: false };
  const old = cookie.replaces ? cookieValue(cookieHeader, cookie.replaces.name) : null;
  return old ? { token: old, replaced: true } : null;
}

export function assertAllowedOrigin(origin: string | null, allowedOrigins: readonly string[]) {
  if (!origin || !allowedOrigins.includes(origin)) {
    throw new AppError('ORIGIN_NOT_ALLOWED', 'Cookie-based calls must come from an allowed origin');
  }
}
