/**
 * Cookie mode for browsers: the refresh token in an `HttpOnly; Secure; SameSite=Lax` cookie
 * that JavaScript cannot read (XSS cannot steal it) and that the browser sends only to the
 * refresh procedure's path. Because a cookie is sent automatically, a refresh by cookie must
 * also carry an `Origin` from ALLOWED_ORIGINS (CSRF defence on top of SameSite).
 */
import { AppError } from '../../errors/app-error';
import { REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH } from './refresh-tokens';

export function setRefreshCookie(headers: Headers, token: string, expiresAt: Date, now: Date) {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  headers.append(
    'set-cookie',
    `${REFRESH_COOKIE_NAME}=${token}; Path=${REFRESH_COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Lax`,
  );
}

export function clearRefreshCookie(headers: Headers) {
  headers.append(
    'set-cookie',
    `${REFRESH_COOKIE_NAME}=; Path=${REFRESH_COOKIE_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Lax`,
  );
}

export function readRefreshCookie(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === REFRESH_COOKIE_NAME) return value.join('=') || null;
  }
  return null;
}

export function assertAllowedOrigin(origin: string | null, allowedOrigins: readonly string[]) {
  if (!origin || !allowedOrigins.includes(origin)) {
    throw new AppError('ORIGIN_NOT_ALLOWED', 'Cookie-based calls must come from an allowed origin');
  }
}
