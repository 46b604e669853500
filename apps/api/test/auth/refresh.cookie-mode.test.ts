import { describe, expect, it } from 'vitest';
import { createTestApp, readTrpcError, type TestApp } from '../harness';
import { newEmail, PASSWORD, registerAccount } from '../support/accounts';
import { readTrpcBody } from '../support/http';

const APP_ORIGIN = 'https://app.example.com';
/** Served over http (dev, tests): a path-scoped cookie; `__Host-` needs https. */
const REFRESH_COOKIE_NAME = 'tollbooth_refresh';
const HOST_COOKIE_NAME = '__Host-tollbooth_refresh';

async function post(
  t: TestApp,
  procedure: string,
  input: unknown,
  headers: Record<string, string> = {},
) {
  return t.fetch(`http://tollbooth.test/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
}

function cookieFrom(response: Response): string {
  const header = response.headers.get('set-cookie') ?? '';
  const value = header.split(';')[0] ?? '';
  expect(value.startsWith(`${REFRESH_COOKIE_NAME}=`)).toBe(true);
  return value;
}

async function registerInCookieMode(t: TestApp) {
  const response = await post(
    t,
    'auth.register',
    { email: newEmail(), password: PASSWORD, cookie: true },
    { origin: APP_ORIGIN },
  );
  expect(response.status).toBe(200);
  const body = (await readTrpcBody(response)).result?.data ?? {};
  return { response, body };
}

describe('cookie mode over http (PUBLIC_URL http://…)', () => {
  it('sets the refresh token in an HttpOnly, Secure, SameSite=Lax cookie on the refresh path, not in the body', async () => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: APP_ORIGIN } });

    const { response, body } = await registerInCookieMode(t);

    const header = response.headers.get('set-cookie') ?? '';
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/Secure/);
    expect(header).toMatch(/SameSite=Lax/);
    expect(header).toMatch(/Path=\/trpc\/auth\.refresh/);
    expect(header).toMatch(/Max-Age=2592000/);
    expect(body.refreshToken).toBeNull();
    expect(body.accessToken).toEqual(expect.any(String));
  });

  it('refreshes from the cookie when the Origin is allowed, rotating the cookie', async () => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: APP_ORIGIN } });
    const { response } = await registerInCookieMode(t);
    const cookie = cookieFrom(response);

    const refreshed = await post(t, 'auth.refresh', {}, { origin: APP_ORIGIN, cookie });

    expect(refreshed.status).toBe(200);
    expect(cookieFrom(refreshed)).not.toBe(cookie);
    expect((await readTrpcBody(refreshed)).result?.data.refreshToken).toBeNull();
  });

  it.each([
    ['no Origin', {}],
    ['a foreign Origin', { origin: 'https://evil.example' }],
  ])('refuses a cookie refresh with %s', async (_name, headers: Record<string, string>) => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: APP_ORIGIN } });
    const { response } = await registerInCookieMode(t);

    const refused = await post(t, 'auth.refresh', {}, { ...headers, cookie: cookieFrom(response) });

    expect(refused.status).toBe(403);
    expect((await readTrpcError(refused)).error.data.appCode).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('answers a cookie refresh without a cookie with INVALID_REFRESH_TOKEN', async () => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: APP_ORIGIN } });

    const refused = await post(t, 'auth.refresh', {}, { origin: APP_ORIGIN });

    expect(refused.status).toBe(401);
    expect((await readTrpcError(refused)).error.data.appCode).toBe('INVALID_REFRESH_TOKEN');
  });

  it('clears the cookie on logout', async () => {
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: APP_ORIGIN } });
    const { body } = await registerInCookieMode(t);

    const response = await post(
      t,
      'auth.logout',
      {},
      { authorization: `Bearer ${body.accessToken}` },
    );

    expect(response.headers.get('set-cookie')).toMatch(
      new RegExp(`^${REFRESH_COOKIE_NAME}=;.*Max-Age=0`),
    );
  });
});

describe('cookie mode over https at the root of its origin (__Host- prefix)', () => {
  const env = { ALLOWED_ORIGINS: APP_ORIGIN, PUBLIC_URL: 'https://api.example.com' };

  it('sets __Host-tollbooth_refresh with Secure, Path=/ and no Domain', async () => {
    const t = await createTestApp({ env });

    const { response } = await registerInCookieMode(t);

    const [header, ...others] = response.headers.getSetCookie();
    expect(others).toEqual([]);
    expect(header).toMatch(new RegExp(`^${HOST_COOKIE_NAME}=[^;]+; Path=/;`));
    expect(header).toMatch(/; Secure/);
    expect(header).toMatch(/HttpOnly/);
    expect(header).not.toMatch(/Domain=/i);
  });

  it('refreshes from the __Host- cookie, rotating it', async () => {
    const t = await createTestApp({ env });
    const { response } = await registerInCookieMode(t);
    const cookie = (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';

    const refreshed = await post(t, 'auth.refresh', {}, { origin: APP_ORIGIN, cookie });

    expect(refreshed.status).toBe(200);
    const [next, ...others] = refreshed.headers.getSetCookie();
    expect(next?.startsWith(`${HOST_COOKIE_NAME}=`)).toBe(true);
    expect(next?.split(';')[0]).not.toBe(cookie);
    expect(others).toEqual([]);
  });

  it('still reads a cookie set under the old name, then moves it to the new one', async () => {
    const t = await createTestApp({ env });
    // A browser that signed in before the switch holds the token under the old name and path.
    const before = await registerAccount(t);

    const refreshed = await post(
      t,
      'auth.refresh',
      {},
      { origin: APP_ORIGIN, cookie: `${REFRESH_COOKIE_NAME}=${before.refreshToken}` },
    );

    expect(refreshed.status).toBe(200);
    const [moved, expired] = refreshed.headers.getSetCookie();
    expect(moved?.startsWith(`${HOST_COOKIE_NAME}=`)).toBe(true);
    expect(expired).toMatch(
      new RegExp(`^${REFRESH_COOKIE_NAME}=; Path=/trpc/auth\\.refresh; Max-Age=0`),
    );
  });

  it('clears both names on logout', async () => {
    const t = await createTestApp({ env });
    const { body } = await registerInCookieMode(t);

    const response = await post(
      t,
      'auth.logout',
      {},
      { authorization: `Bearer ${body.accessToken}` },
    );

    const cleared = response.headers.getSetCookie();
    expect(cleared).toHaveLength(2);
    expect(cleared[0]).toMatch(new RegExp(`^${HOST_COOKIE_NAME}=; Path=/; Max-Age=0`));
    expect(cleared[1]).toMatch(
      new RegExp(`^${REFRESH_COOKIE_NAME}=; Path=/trpc/auth\\.refresh; Max-Age=0`),
    );
  });

  it('keeps the path-scoped name when the API is served under a path of its origin', async () => {
    const t = await createTestApp({
      env: { ALLOWED_ORIGINS: APP_ORIGIN, PUBLIC_URL: 'https://example.com/api' },
    });

    const { response } = await registerInCookieMode(t);

    expect(response.headers.getSetCookie()[0]).toMatch(
      new RegExp(`^${REFRESH_COOKIE_NAME}=[^;]+; Path=/api/trpc/auth\\.refresh;`),
    );
  });
});
