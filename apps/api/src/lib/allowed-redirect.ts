/**
 * Where we may send a browser back to: an http(s) URL on the frontend (APP_URL's origin) or
 * an origin in ALLOWED_ORIGINS. Anything else would make us an open redirector: an OAuth
 * sign-in would hand its code to whoever crafted the link, and a checkout or billing portal
 * would return a paying customer to a look-alike page. Compared as parsed origins, so
 * `app.example.com.evil.test`, `//evil.test` and `https://app.example.com@evil.test` are all
 * refused. Used by OAuth's redirect_to and by billing's success, cancel and return URLs.
 */

export interface RedirectPolicy {
  appUrl: string;
  allowedOrigins: readonly string[];
}

/** The URL when allowed; undefined means APP_URL itself. Null: refused. */
export function allowedRedirect(value: string | undefined, config: RedirectPolicy): URL | null {
  if (value === undefined) return new URL(config.appUrl);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  const allowed = new Set([new URL(config.appUrl).origin, ...config.allowedOrigins]);
  return allowed.has(url.origin) ? url : null;
}
