/**
 * A small local stand-in for GitHub's OAuth and REST endpoints, enough for the sign-in
 * flow: /login/oauth/authorize (consents at once), /login/oauth/access_token, /user and
 * /user/emails. Tests set the account it reports.
 *
 * PKCE as GitHub does it (code_challenge + code_challenge_method=S256 at authorize,
 * code_verifier at the token request), but stricter: a code issued without an S256
 * challenge is refused too, so a client that drops PKCE fails here instead of passing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll } from 'vitest';

export interface FakeGitHubAccount {
  id: number;
  name: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export const GITHUB_CLIENT = { id: 'gh-client-id', secret: 'gh-client-secret' };

/** How each token request went, newest last, so tests can say why one was refused. */
export type TokenRequestOutcome = { ok: true } | { ok: false; reason: string };

interface IssuedCode {
  clientId: string;
  /** The S256 challenge sent at authorize, or null when none (or another method) came. */
  challenge: string | null;
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function refusal(code: IssuedCode | undefined, body: Record<string, string>): string | null {
  if (!code) return 'unknown code';
  if (body.client_id !== GITHUB_CLIENT.id || body.client_secret !== GITHUB_CLIENT.secret) {
    return 'bad client credentials';
  }
  if (code.challenge === null) return 'no S256 code_challenge at authorize';
  if (!body.code_verifier || s256(body.code_verifier) !== code.challenge) {
    return 'code_verifier mismatch';
  }
  return null;
}

export async function startFakeGitHub() {
  const account: FakeGitHubAccount = { id: 4242, name: 'Octo Cat', emails: [] };
  const state = {
    account,
    codes: new Map<string, IssuedCode>(),
    tokens: new Set<string>(),
    tokenRequests: [] as TokenRequestOutcome[],
  };
  const app = new Hono()
    .get('/login/oauth/authorize', (c) => {
      const redirect = new URL(c.req.query('redirect_uri') ?? '');
      const code = randomUUID();
      const method = c.req.query('code_challenge_method');
      state.codes.set(code, {
        clientId: c.req.query('client_id') ?? '',
        challenge: method === 'S256' ? (c.req.query('code_challenge') ?? null) : null,
      });
      redirect.searchParams.set('code', code);
      redirect.searchParams.set('state', c.req.query('state') ?? '');
      return c.redirect(redirect.toString(), 302);
    })
    .post('/login/oauth/access_token', async (c) => {
      const body = await c.req.json<Record<string, string>>();
      const known = state.codes.get(body.code ?? '');
      state.codes.delete(body.code ?? '');
      const reason = refusal(known, body);
      if (reason) {
        state.tokenRequests.push({ ok: false, reason });
        // GitHub answers 200 with an error object for a bad code.
        return c.json({ error: 'bad_verification_code' });
      }
      state.tokenRequests.push({ ok: true });
      const token = randomUUID();
      state.tokens.add(token);
      return c.json({ access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    })
    .use('/user/*', async (c, next) => {
      const token = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
      if (!state.tokens.has(token)) return c.json({ message: 'Bad credentials' }, 401);
      await next();
    })
    .use('/user', async (c, next) => {
      const token = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
      if (!state.tokens.has(token)) return c.json({ message: 'Bad credentials' }, 401);
      await next();
    })
    .get('/user', (c) =>
      c.json({
        id: state.account.id,
        login: 'octocat',
        name: state.account.name,
        avatar_url: null,
      }),
    )
    .get('/user/emails', (c) => c.json(state.account.emails));

  const url = await new Promise<string>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
    afterAll(() => new Promise<void>((done) => server.close(() => done())));
  });
  return {
    url,
    /** The API's configuration for signing in with this stand-in. */
    env: {
      GITHUB_CLIENT_ID: GITHUB_CLIENT.id,
      GITHUB_CLIENT_SECRET: GITHUB_CLIENT.secret,
      GITHUB_OAUTH_URL: url,
      GITHUB_API_URL: url,
    },
    tokenRequests: state.tokenRequests,
    setAccount(account: FakeGitHubAccount) {
      state.account = account;
    },
  };
}
