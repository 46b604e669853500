import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { newEmail } from '../support/accounts';
import { startFakeGitHub } from '../support/fake-github';
import { codeFrom, consent, startFlow } from '../support/oauth-browser';

/**
 * Node's parser and fetch's Headers refuse NUL in a header, but not every runtime or proxy
 * in front of the app does; this stands in for one that passes it through.
 */
function withNulInUserAgent(headers: Headers): Headers {
  const get = headers.get.bind(headers);
  return Object.assign(headers, {
    get: (name: string) => (name.toLowerCase() === 'user-agent' ? 'Agent\u0000/1.0' : get(name)),
  });
}

describe('OAuth callback request metadata', () => {
  it('drops a NUL from the user agent instead of answering 500, and audits the rest', async () => {
    const github = await startFakeGitHub();
    github.setAccount({
      id: 6006,
      name: null,
      emails: [{ email: newEmail('nul'), primary: true, verified: true }],
    });
    const t = await createTestApp({
      env: {
        APP_URL: 'https://app.example.com',
        ...github.env,
      },
    });
    const { start, cookie } = await startFlow(t, 'github');
    const callback = await consent(start);
    const request = new Request(`http://tollbooth.test${callback.pathname}${callback.search}`, {
      headers: { cookie },
    });
    Object.defineProperty(request, 'headers', { value: withNulInUserAgent(request.headers) });

    const response = await t.app.request(request);

    expect(response.status).toBe(302);
    codeFrom(response.headers.get('location'));
    const audit = await t.deps.db
      .selectFrom('audit_log')
      .select('user_agent')
      .where('event_type', '=', 'auth.oauth_linked')
      .executeTakeFirstOrThrow();
    expect(audit.user_agent).toBe('Agent/1.0');
  });
});
