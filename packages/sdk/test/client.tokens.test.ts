import { createTestApp, type TestApp } from '@tollbooth/api/testing';
import { startTestSmtp, tokenFromLink } from '@tollbooth/api/testing/smtp';
import { describe, expect, it } from 'vitest';
import {
  cookieTokenStore,
  createTollboothClient,
  isTollboothError,
  localStorageTokenStore,
  memoryTokenStore,
  type StorageLike,
  type TokenStore,
} from '../src/index';

const PASSWORD = 'sdk test passphrase';
const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;
let counter = 0;
const newEmail = () => `sdk-${Date.now()}-${counter++}@example.test`;

/** The app's fetch, counting refresh calls (the SDK must de-duplicate them). */
function countingFetch(t: TestApp) {
  const calls = { refresh: 0 };
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    if (String(input).includes('/trpc/auth.refresh')) calls.refresh++;
    return t.fetch(input, init);
  };
  return { fetch, calls };
}

function clientFor(t: TestApp, tokenStore?: TokenStore) {
  const { fetch, calls } = countingFetch(t);
  const store = tokenStore ?? memoryTokenStore();
  return {
    client: createTollboothClient({ url: 'http://tollbooth.test', fetch, tokenStore: store }),
    calls,
    store,
  };
}

describe('SDK token handling', () => {
  it('stores the tokens from register and login and sends the access token', async () => {
    const t = await createTestApp();
    const { client, store } = clientFor(t);
    const email = newEmail();

    await client.auth.register.mutate({ email, password: PASSWORD });
    expect((await store.get())?.refreshToken).toEqual(expect.any(String));
    expect(await client.auth.me.query()).toMatchObject({ email });

    await store.set(null);
    await client.auth.login.mutate({ email, password: PASSWORD });
    expect(await client.auth.me.query()).toMatchObject({ email });
  });

  it('stores no tokens when register asks for verification first (REGISTRATION_MODE=verify-first)', async () => {
    const t = await createTestApp({ env: { REGISTRATION_MODE: 'verify-first' } });
    const { client, store } = clientFor(t);

    const registered = await client.auth.register.mutate({ email: newEmail(), password: PASSWORD });

    expect(registered).toEqual({ verificationRequired: true });
    expect(await store.get()).toBeNull();
  });

  it('refreshes an expired access token transparently and retries the call once', async () => {
    const t = await createTestApp();
    const { client, calls, store } = clientFor(t);
    await client.auth.register.mutate({ email: newEmail(), password: PASSWORD });
    const before = await store.get();

    t.clock.advance(FIFTEEN_MINUTES_MS);
    const me = await client.auth.me.query();

    expect(me.email).toContain('@example.test');
    expect(calls.refresh).toBe(1);
    const after = await store.get();
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
  });

  it('shares one refresh among concurrent calls that fail together', async () => {
    const t = await createTestApp();
    const { client, calls } = clientFor(t);
    await client.auth.register.mutate({ email: newEmail(), password: PASSWORD });

    t.clock.advance(FIFTEEN_MINUTES_MS);
    const results = await Promise.all([
      client.auth.me.query(),
      client.auth.sessions.list.query(),
      client.auth.me.query(),
    ]);

    expect(results).toHaveLength(3);
    expect(calls.refresh).toBe(1);
  });

  it('gives up after one refresh: a revoked session surfaces UNAUTHORIZED and clears the store', async () => {
    const t = await createTestApp();
    const { client, calls, store } = clientFor(t);
    const email = newEmail();
    await client.auth.register.mutate({ email, password: PASSWORD });
    const other = clientFor(t).client;
    await other.auth.login.mutate({ email, password: PASSWORD });
    await other.auth.sessions.revoke.mutate({ allButCurrent: true });

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(isTollboothError(error, 'UNAUTHENTICATED')).toBe(true);
    expect(calls.refresh).toBe(1);
    expect(await store.get()).toBeNull();
  });

  it('does not refresh for calls that fail for other reasons', async () => {
    const t = await createTestApp();
    const { client, calls } = clientFor(t);

    const error = await client.auth.login
      .mutate({ email: newEmail(), password: PASSWORD })
      .catch((e: unknown) => e);

    expect(isTollboothError(error, 'INVALID_CREDENTIALS')).toBe(true);
    expect(calls.refresh).toBe(0);
  });

  it('clears the store on logout', async () => {
    const t = await createTestApp();
    const { client, store } = clientFor(t);
    await client.auth.register.mutate({ email: newEmail(), password: PASSWORD });

    await client.auth.logout.mutate();

    expect(await store.get()).toBeNull();
  });

  it('stores the tokens of a magic-link sign-in', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    const { client } = clientFor(t);
    const email = newEmail();
    await client.auth.requestMagicLink.mutate({ email });
    await t.drainJobs();

    await client.auth.loginWithMagicLink.mutate({ token: tokenFromLink(smtp.latest(email)) });

    expect(await client.auth.me.query()).toMatchObject({ email, emailVerified: true });
  });

  it('keeps tokens in localStorage across client instances (page reloads)', async () => {
    const t = await createTestApp();
    const backing = new Map<string, string>();
    const storage: StorageLike = {
      getItem: (key) => backing.get(key) ?? null,
      setItem: (key, value) => void backing.set(key, value),
      removeItem: (key) => void backing.delete(key),
    };
    const email = newEmail();
    await clientFor(t, localStorageTokenStore({ storage })).client.auth.register.mutate({
      email,
      password: PASSWORD,
    });

    const reloaded = clientFor(t, localStorageTokenStore({ storage })).client;

    expect(await reloaded.auth.me.query()).toMatchObject({ email });
    expect([...backing.keys()]).toEqual(['tollbooth.tokens']);
  });

  it('in cookie mode keeps the refresh token out of JavaScript and refreshes through the cookie', async () => {
    const origin = 'https://app.example.com';
    const t = await createTestApp({ env: { ALLOWED_ORIGINS: origin } });
    // A minimal browser: remembers the refresh cookie and sends it with an Origin header.
    let jar = '';
    const browserFetch = async (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('origin', origin);
      if (jar && String(input).includes('/trpc/auth.refresh')) headers.set('cookie', jar);
      expect(init?.credentials).toBe('include');
      const response = await t.fetch(input, { ...init, headers });
      const setCookie = response.headers.get('set-cookie');
      if (setCookie) jar = setCookie.split(';')[0] ?? '';
      return response;
    };
    const store = cookieTokenStore();
    const client = createTollboothClient({
      url: 'http://tollbooth.test',
      fetch: browserFetch,
      tokenStore: store,
    });

    const registered = await client.auth.register.mutate({ email: newEmail(), password: PASSWORD });
    if (registered.verificationRequired) throw new Error('expected REGISTRATION_MODE=open');
    expect(registered.refreshToken).toBeNull();
    expect(jar).toMatch(/^tollbooth_refresh=/);

    t.clock.advance(FIFTEEN_MINUTES_MS);
    expect(await client.auth.me.query()).toMatchObject({ id: registered.user.id });
    expect((await store.get())?.refreshToken).toBeNull();
  });

  it('keeps the tokens when a refresh fails for a transient reason (rate limited)', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'refresh.ip=1/600' } });
    const { client, store } = clientFor(t);
    await client.auth.register.mutate({ email: newEmail(), password: PASSWORD });
    t.clock.advance(FIFTEEN_MINUTES_MS);
    await client.auth.me.query();
    const kept = await store.get();

    t.clock.advance(FIFTEEN_MINUTES_MS);
    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(isTollboothError(error, 'UNAUTHENTICATED')).toBe(true);
    expect(await store.get()).toEqual(kept);
  });
});
