import { createTestApp } from '@tollbooth/api/testing';
import {
  codeFrom,
  consent,
  deliverCallback,
  GITHUB_CLIENT,
  signInThroughProvider,
  startFakeGitHub,
} from '@tollbooth/api/testing/oauth';
import { describe, expect, it } from 'vitest';
import {
  completeOAuthSignIn,
  createTollboothClient,
  isTollboothError,
  memoryTokenStore,
  type StorageLike,
  startOAuthSignIn,
} from '../src/index';

const API = 'http://tollbooth.test';
const APP_URL = 'https://app.example.com';

/** sessionStorage of one browser tab. */
function tabStorage(): StorageLike & { keys(): string[] } {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    keys: () => [...items.keys()],
  };
}

async function setup() {
  const github = await startFakeGitHub();
  const email = `oauth-${Date.now()}@example.test`;
  github.setAccount({ id: 77, name: 'Octo', emails: [{ email, primary: true, verified: true }] });
  const t = await createTestApp({
    env: {
      APP_URL,
      GITHUB_CLIENT_ID: GITHUB_CLIENT.id,
      GITHUB_CLIENT_SECRET: GITHUB_CLIENT.secret,
      GITHUB_OAUTH_URL: github.url,
      GITHUB_API_URL: github.url,
    },
  });
  const store = memoryTokenStore();
  const sdk = createTollboothClient({ url: API, fetch: t.fetch, tokenStore: store });
  return { t, email, store, sdk };
}

describe('SDK and OAuth', () => {
  it('signs in with startOAuthSignIn and completeOAuthSignIn, keeping the verifier in this tab only until the exchange', async () => {
    const { t, email, store, sdk } = await setup();
    const storage = tabStorage();

    const url = await startOAuthSignIn({
      url: API,
      provider: 'github',
      redirectTo: `${APP_URL}/signed-in`,
      storage,
    });
    expect(new URL(url).searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(storage.keys()).toHaveLength(1);
    // The browser follows the URL, consents at the provider and lands on the app's page.
    const start = await t.fetch(url);
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const back = await deliverCallback(t, await consent(start), { headers: { cookie } });
    const session = await completeOAuthSignIn(sdk, {
      code: codeFrom(back.headers.get('location')),
      storage,
    });

    expect(session.user.email).toBe(email);
    expect((await store.get())?.refreshToken).toEqual(expect.any(String));
    expect(await sdk.auth.me.query()).toMatchObject({ email, name: 'Octo' });
    expect(storage.keys()).toEqual([]);
  });

  it('refuses a code from a flow this tab did not start (login CSRF), storing no tokens', async () => {
    const { t, store, sdk } = await setup();
    // The attacker's own flow, stopped before the exchange: he plants this code.
    const planted = codeFrom((await signInThroughProvider(t, 'github')).location);
    const storage = tabStorage();
    await startOAuthSignIn({ url: API, provider: 'github', storage });

    const error = await completeOAuthSignIn(sdk, { code: planted, storage }).catch((e) => e);

    expect(isTollboothError(error, 'INVALID_TOKEN')).toBe(true);
    expect(await store.get()).toBeNull();
  });
});
