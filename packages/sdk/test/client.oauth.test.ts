import { createTestApp } from '@tollbooth/api/testing';
import {
  GITHUB_CLIENT,
  signInThroughProvider,
  startFakeGitHub,
} from '@tollbooth/api/testing/oauth';
import { describe, expect, it } from 'vitest';
import { createTollboothClient, memoryTokenStore } from '../src/index';

describe('SDK and OAuth', () => {
  it('stores the tokens it gets for the one-time code of an OAuth redirect', async () => {
    const github = await startFakeGitHub();
    const email = `oauth-${Date.now()}@example.test`;
    github.setAccount({ id: 77, name: 'Octo', emails: [{ email, primary: true, verified: true }] });
    const t = await createTestApp({
      env: {
        APP_URL: 'https://app.example.com',
        GITHUB_CLIENT_ID: GITHUB_CLIENT.id,
        GITHUB_CLIENT_SECRET: GITHUB_CLIENT.secret,
        GITHUB_OAUTH_URL: github.url,
        GITHUB_API_URL: github.url,
      },
    });
    const store = memoryTokenStore();
    const sdk = createTollboothClient({
      url: 'http://tollbooth.test',
      fetch: t.fetch,
      tokenStore: store,
    });

    const { location, verifier } = await signInThroughProvider(t, 'github');
    const code = new URL(location ?? '').searchParams.get('code') ?? '';
    await sdk.auth.exchangeOAuthCode.mutate({ code, verifier });

    expect((await store.get())?.refreshToken).toEqual(expect.any(String));
    expect(await sdk.auth.me.query()).toMatchObject({ email, name: 'Octo' });
  });
});
