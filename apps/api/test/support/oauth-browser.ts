import type { TestApp } from '../harness';

/**
 * Plays the browser through an OAuth sign-in: start (keeps the state cookie), follow the
 * provider's consent redirect, and deliver the callback to the app. Returns where the app
 * finally sends the browser.
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
  const query = options.redirectTo ? `?redirect_to=${encodeURIComponent(options.redirectTo)}` : '';
  const start = await t.fetch(`http://tollbooth.test/auth/oauth/${provider}/start${query}`);
  if (start.status !== 302) return { start, final: undefined };
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const consent = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location') ?? '');
  options.tamper?.(callback);
  const final = await t.fetch(`http://tollbooth.test${callback.pathname}${callback.search}`, {
    headers: { cookie: options.cookie ? options.cookie(cookie) : cookie },
  });
  return { start, final, location: final.headers.get('location') };
}
