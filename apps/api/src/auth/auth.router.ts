import { AppError } from '../errors/app-error';
import type { Context } from '../trpc/context';
import { protectedProcedure, publicProcedure, requestMeta, router } from '../trpc/procedures';
import { changePassword, deactivateAccount, updateProfile } from './account.service';
import {
  ZChangePasswordInput,
  ZDeactivateInput,
  ZEmailInput,
  ZExchangeOAuthCodeInput,
  ZLoginInput,
  ZLoginWithCodeInput,
  ZLoginWithMagicLinkInput,
  ZRefreshInput,
  ZRegisterInput,
  ZResetPasswordInput,
  ZRevokeSessionsInput,
  ZUpdateProfileInput,
  ZVerifyEmailInput,
} from './auth.schemas';
import {
  requestEmailVerification,
  requestPasswordReset,
  resetPassword,
  verifyEmail,
} from './email-flows.service';
import { login } from './login';
import { exchangeOAuthCode } from './oauth/oauth.service';
import {
  loginWithCode,
  loginWithMagicLink,
  requestLoginCode,
  requestMagicLink,
} from './passwordless.service';
import { toPublicUser } from './public-user';
import { register } from './registration/register';
import { refreshSession } from './sessions/refresh';
import { endSession, listSessions, revokeSessions } from './sessions/sessions.service';
import type { AuthResult } from './sessions/sign-in';
import {
  assertAllowedOrigin,
  clearRefreshCookie,
  expireReplacedCookie,
  readRefreshCookie,
  refreshCookieFor,
  setRefreshCookie,
} from './tokens/refresh-cookie';

/** What sign-in procedures return; `refreshToken` is null in cookie mode. */
export type AuthResponse = Omit<AuthResult, 'refreshToken'> & { refreshToken: string | null };

/** Body mode hands the refresh token to the SDK; cookie mode keeps it out of JavaScript. */
function deliver(ctx: Context, result: AuthResult, cookie: boolean | undefined): AuthResponse {
  if (!cookie) return result;
  setRefreshCookie(
    ctx.resHeaders,
    refreshCookieFor(ctx.deps.config),
    result.refreshToken,
    new Date(result.refreshTokenExpiresAt),
    ctx.deps.clock.now(),
  );
  return { ...result, refreshToken: null };
}

const sessionsRouter = router({
  /** The caller's live sessions, newest use first; `current` marks this one. */
  list: protectedProcedure.query(({ ctx }) =>
    listSessions(ctx.deps, { userId: ctx.caller.user.id, currentSessionId: ctx.caller.sessionId }),
  ),
  /** `{ sessionId }` signs out one session; `{ allButCurrent: true }` all others. */
  revoke: protectedProcedure.input(ZRevokeSessionsInput).mutation(({ ctx, input }) =>
    revokeSessions(ctx.deps, {
      userId: ctx.caller.user.id,
      currentSessionId: ctx.caller.sessionId,
      target: input,
      meta: requestMeta(ctx),
    }),
  ),
});

export const authRouter = router({
  /**
   * Tokens at once (REGISTRATION_MODE=open), or `{ verificationRequired: true }` for every
   * address (verify-first): the account exists once the mailed link is redeemed.
   */
  register: publicProcedure.input(ZRegisterInput).mutation(async ({ ctx, input }) => {
    const result = await register(ctx.deps, input, requestMeta(ctx));
    if (result.verificationRequired) return result;
    return { ...deliver(ctx, result, input.cookie), verificationRequired: false as const };
  }),
  login: publicProcedure
    .input(ZLoginInput)
    .mutation(async ({ ctx, input }) =>
      deliver(ctx, await login(ctx.deps, input, requestMeta(ctx)), input.cookie),
    ),
  /**
   * Rotates the refresh token (body, or the cookie when none is given) and returns a new
   * pair. A rotated token presented again revokes its whole session.
   */
  refresh: publicProcedure.input(ZRefreshInput).mutation(async ({ ctx, input }) => {
    let token = input?.refreshToken;
    let cookie = input?.cookie;
    let fromReplacedCookie = false;
    if (!token) {
      assertAllowedOrigin(ctx.http.origin, ctx.deps.config.allowedOrigins);
      const found = readRefreshCookie(ctx.http.cookie, refreshCookieFor(ctx.deps.config));
      token = found?.token;
      fromReplacedCookie = found?.replaced ?? false;
      cookie = true;
    }
    if (!token) throw new AppError('INVALID_REFRESH_TOKEN', 'Sign in again');
    const result = deliver(
      ctx,
      await refreshSession(ctx.deps, { refreshToken: token, meta: requestMeta(ctx) }),
      cookie,
    );
    if (fromReplacedCookie) expireReplacedCookie(ctx.resHeaders, refreshCookieFor(ctx.deps.config));
    return result;
  }),
  /** Ends the current session (its refresh-token family) and clears the refresh cookie. */
  logout: protectedProcedure.mutation(async ({ ctx }) => {
    if (ctx.caller.sessionId) {
      await endSession(ctx.deps, {
        userId: ctx.caller.user.id,
        sessionId: ctx.caller.sessionId,
        meta: requestMeta(ctx),
      });
    }
    clearRefreshCookie(ctx.resHeaders, refreshCookieFor(ctx.deps.config));
    return { ok: true as const };
  }),
  me: protectedProcedure.query(({ ctx }) => toPublicUser(ctx.caller.user)),
  updateProfile: protectedProcedure
    .input(ZUpdateProfileInput)
    .mutation(({ ctx, input }) => updateProfile(ctx.deps, ctx.caller, input)),
  changePassword: protectedProcedure
    .input(ZChangePasswordInput)
    .mutation(({ ctx, input }) => changePassword(ctx.deps, ctx.caller, input, requestMeta(ctx))),
  deactivate: protectedProcedure.input(ZDeactivateInput).mutation(async ({ ctx, input }) => {
    const result = await deactivateAccount(ctx.deps, ctx.caller, input, requestMeta(ctx));
    clearRefreshCookie(ctx.resHeaders, refreshCookieFor(ctx.deps.config));
    return result;
  }),
  requestEmailVerification: protectedProcedure.mutation(({ ctx }) =>
    requestEmailVerification(ctx.deps, ctx.caller, requestMeta(ctx)),
  ),
  /**
   * `{ email }` once the link is redeemed. A verify-first registration's link also takes the
   * password chosen at sign-up (VALIDATION_FAILED on `password` without it); no tokens either
   * way: the app signs in with login.
   */
  verifyEmail: publicProcedure
    .input(ZVerifyEmailInput)
    .mutation(({ ctx, input }) => verifyEmail(ctx.deps, input, requestMeta(ctx))),
  requestPasswordReset: publicProcedure
    .input(ZEmailInput)
    .mutation(({ ctx, input }) => requestPasswordReset(ctx.deps, input, requestMeta(ctx))),
  resetPassword: publicProcedure
    .input(ZResetPasswordInput)
    .mutation(({ ctx, input }) => resetPassword(ctx.deps, input, requestMeta(ctx))),
  requestLoginCode: publicProcedure
    .input(ZEmailInput)
    .mutation(({ ctx, input }) => requestLoginCode(ctx.deps, input, requestMeta(ctx))),
  loginWithCode: publicProcedure
    .input(ZLoginWithCodeInput)
    .mutation(async ({ ctx, input }) =>
      deliver(ctx, await loginWithCode(ctx.deps, input, requestMeta(ctx)), input.cookie),
    ),
  requestMagicLink: publicProcedure
    .input(ZEmailInput)
    .mutation(({ ctx, input }) => requestMagicLink(ctx.deps, input, requestMeta(ctx))),
  loginWithMagicLink: publicProcedure
    .input(ZLoginWithMagicLinkInput)
    .mutation(async ({ ctx, input }) =>
      deliver(ctx, await loginWithMagicLink(ctx.deps, input, requestMeta(ctx)), input.cookie),
    ),
  /** Trades the one-time code from an OAuth redirect for tokens (no tokens in URLs). */
  exchangeOAuthCode: publicProcedure
    .input(ZExchangeOAuthCodeInput)
    .mutation(async ({ ctx, input }) =>
      deliver(ctx, await exchangeOAuthCode(ctx.deps, input, requestMeta(ctx)), input.cookie),
    ),
  sessions: sessionsRouter,
});
