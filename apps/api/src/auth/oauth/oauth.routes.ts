/**
 * GET /auth/oauth/:provider/start?redirect_to=…&code_challenge=… and
 * GET /auth/oauth/:provider/callback. Providers without a client id and secret are off (404
 * OAUTH_PROVIDER_DISABLED). See state.ts for the browser binding, pkce.ts for both PKCE legs
 * (code_challenge is the app's, required) and oauth.service.ts for linking and the code.
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { requestMeta } from '../../audit/request-meta';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import type { AppEnv } from '../../http/app-env';
import { errorResponse } from '../../http/error-response';
import { allowedRedirect } from '../../lib/allowed-redirect';
import { githubProvider } from './github';
import { googleProvider } from './google';
import { completeOAuthSignIn } from './oauth.service';
import { challengeDigest, newVerifier } from './pkce';
import type { OAuthProvider } from './providers';
import { OAUTH_STATE_COOKIE, OAUTH_STATE_TTL_SECONDS, openState, sealState } from './state';

const COOKIE_PATH = '/auth/oauth';

export function createOAuthProviders(deps: Pick<Deps, 'config' | 'clock'>) {
  const { google, github } = deps.config.oauth;
  const providers = new Map<string, OAuthProvider>();
  if (google) providers.set('google', googleProvider({ ...google, clock: deps.clock }));
  if (github) providers.set('github', githubProvider(github));
  return providers;
}

export function oauthRoutes(deps: Deps) {
  const providers = createOAuthProviders(deps);
  const random = (bytes: number) => deps.random.bytes(bytes).toString('base64url');
  const callbackUrl = (id: string) => `${deps.config.publicUrl}/auth/oauth/${id}/callback`;

  return new Hono<AppEnv>()
    .get('/auth/oauth/:provider/start', async (c) => {
      const provider = providers.get(c.req.param('provider'));
      if (!provider) {
        return errorResponse(
          c,
          new AppError('OAUTH_PROVIDER_DISABLED', 'No such sign-in provider'),
        );
      }
      const redirectTo = allowedRedirect(c.req.query('redirect_to'), deps.config);
      if (!redirectTo) {
        return errorResponse(
          c,
          new AppError('REDIRECT_NOT_ALLOWED', 'redirect_to must be on the frontend origin'),
        );
      }
      const appChallenge = c.req.query('code_challenge');
      if (appChallenge === undefined || !challengeDigest(appChallenge)) {
        return errorResponse(c, missingChallenge());
      }
      const request = {
        state: random(32),
        codeVerifier: newVerifier(deps.random),
        nonce: random(16),
        redirectUri: callbackUrl(provider.id),
      };
      const sealed = await sealState(await deps.keys(), deps.clock, {
        provider: provider.id,
        state: request.state,
        codeVerifier: request.codeVerifier,
        nonce: request.nonce,
        redirectTo: redirectTo.toString(),
        appChallenge,
      });
      setCookie(c, OAUTH_STATE_COOKIE, sealed, {
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
        path: COOKIE_PATH,
        maxAge: OAUTH_STATE_TTL_SECONDS,
      });
      return c.redirect(await provider.authorizationUrl(request), 302);
    })
    .get('/auth/oauth/:provider/callback', async (c) => {
      const provider = providers.get(c.req.param('provider'));
      if (!provider) {
        return errorResponse(
          c,
          new AppError('OAUTH_PROVIDER_DISABLED', 'No such sign-in provider'),
        );
      }
      const state = await openState(await deps.keys(), deps.clock, {
        cookie: getCookie(c, OAUTH_STATE_COOKIE),
        provider: provider.id,
        returnedState: c.req.query('state'),
      });
      deleteCookie(c, OAUTH_STATE_COOKIE, { path: COOKIE_PATH, secure: true });
      const binding = challengeDigest(state?.appChallenge);
      // Without a trusted state there is no trusted place to send the browser back to.
      if (!state || !binding) {
        return errorResponse(
          c,
          new AppError(
            'OAUTH_STATE_MISMATCH',
            'The sign-in expired or did not start here; try again',
          ),
        );
      }
      const back = new URL(state.redirectTo);
      const fail = (reason: string) => {
        back.searchParams.set('error', reason);
        return c.redirect(back.toString(), 302);
      };
      const code = c.req.query('code');
      if (c.req.query('error') || !code) return fail('access_denied');

      const meta = requestMeta({
        requestId: c.get('requestId'),
        ip: c.get('clientIp'),
        userAgent: c.req.header('user-agent') ?? null,
      });
      let profile: Awaited<ReturnType<OAuthProvider['exchange']>>;
      try {
        profile = await provider.exchange({
          code,
          redirectUri: callbackUrl(provider.id),
          codeVerifier: state.codeVerifier,
          nonce: state.nonce,
        });
      } catch (error) {
        deps.logger.warn(
          { requestId: meta.requestId, provider: provider.id, reason: String(error) },
          'oauth code exchange failed',
        );
        return fail('oauth_failed');
      }
      try {
        const { exchangeCode } = await completeOAuthSignIn(deps, {
          provider,
          profile,
          meta,
          binding,
        });
        back.searchParams.set('code', exchangeCode);
        return c.redirect(back.toString(), 302);
      } catch (error) {
        if (error instanceof AppError) return fail(error.appCode.toLowerCase());
        throw error;
      }
    });
}

function missingChallenge(): AppError {
  return new AppError('VALIDATION_FAILED', 'code_challenge is required', {
    fieldErrors: {
      code_challenge: [
        'must be the S256 challenge (base64url SHA-256, 43 characters) of a verifier the app keeps for auth.exchangeOAuthCode',
      ],
    },
  });
}
