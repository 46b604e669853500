/**
 * The SDK's token handling, as a tRPC link in front of the HTTP link:
 * - after a sign-in procedure (register, login, code, magic link, OAuth exchange, refresh)
 *   succeeds, its tokens go into the token store (a register that answers
 *   `{ verificationRequired: true }` carries none and leaves the store as it was); logout and
 *   deactivate clear it;
 * - a call that fails with UNAUTHORIZED / UNAUTHENTICATED (an expired or revoked access
 *   token) triggers one refresh, then the call is retried once;
 * - concurrent calls that fail together share one refresh (refresh tokens rotate: two
 *   refreshes with one token would look like theft to the server).
 * A link, not tRPC's retryLink, because the retry must wait for an asynchronous refresh.
 */
import type { AppRouter } from '@tollbooth/api/types';
import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { StoredTokens, TokenStore } from './token-store';

/** Procedures whose result carries a fresh token pair. */
const SIGN_IN_PATHS = new Set([
  'auth.register',
  'auth.login',
  'auth.loginWithCode',
  'auth.loginWithMagicLink',
  'auth.exchangeOAuthCode',
  'auth.refresh',
]);
/** Procedures after which the tokens are worthless. */
const SIGN_OUT_PATHS = new Set(['auth.logout', 'auth.deactivate']);
/** Never refresh-and-retry these: their 401 is the answer itself. */
const NO_RETRY_PATHS = new Set([...SIGN_IN_PATHS, ...SIGN_OUT_PATHS]);

export function tokensFrom(data: unknown): StoredTokens | null {
  if (typeof data !== 'object' || data === null || !('accessToken' in data)) return null;
  const { accessToken } = data;
  const refreshToken = 'refreshToken' in data ? data.refreshToken : null;
  if (typeof accessToken !== 'string') return null;
  return { accessToken, refreshToken: typeof refreshToken === 'string' ? refreshToken : null };
}

function isExpiredSession(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('data' in error)) return false;
  const { data } = error;
  return (
    typeof data === 'object' &&
    data !== null &&
    'appCode' in data &&
    data.appCode === 'UNAUTHENTICATED'
  );
}

export type Refresher = () => Promise<boolean>;

/**
 * One refresh at a time: callers arriving while one runs get its outcome. Resolves whether
 * a new access token is in the store (false after the store was cleared); rejects, leaving
 * the store as it was, when the refresh failed for a transient reason.
 */
export function createRefresher(options: {
  store: TokenStore;
  refresh: (refreshToken: string | null) => Promise<StoredTokens | null>;
}): Refresher {
  let inFlight: Promise<boolean> | null = null;
  return () => {
    inFlight ??= (async () => {
      try {
        const current = await options.store.get();
        const cookieMode = options.store.mode === 'cookie';
        if (!cookieMode && !current?.refreshToken) return false;
        const next = await options.refresh(current?.refreshToken ?? null);
        await options.store.set(next);
        return next !== null;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };
}

export function authLink(options: { store: TokenStore; refresh: Refresher }): TRPCLink<AppRouter> {
  const { store } = options;
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        const cookieMode = store.mode === 'cookie';
        const input =
          cookieMode && SIGN_IN_PATHS.has(op.path) && typeof op.input === 'object' && op.input
            ? { ...op.input, cookie: true }
            : op.input;
        const operation = { ...op, input };
        let retried = false;
        // Results are passed on only after the store has the tokens they carry, so a caller
        // that awaits login() can make an authenticated call right away.
        let pending: Promise<void> = Promise.resolve();
        let subscription = attempt();

        async function remember(data: unknown) {
          if (SIGN_IN_PATHS.has(op.path)) {
            const tokens = tokensFrom(data);
            if (tokens) await store.set(tokens);
          }
          if (SIGN_OUT_PATHS.has(op.path)) await store.set(null);
        }

        function attempt() {
          return next(operation).subscribe({
            next(result) {
              const data = result.result.type === 'data' ? result.result.data : undefined;
              pending = remember(data).then(
                () => observer.next(result),
                (error: unknown) => observer.error(TRPCClientError.from(toError(error))),
              );
            },
            error(error) {
              if (retried || NO_RETRY_PATHS.has(op.path) || !isExpiredSession(error)) {
                observer.error(error);
                return;
              }
              retried = true;
              options.refresh().then(
                (refreshed) => {
                  if (!refreshed) observer.error(error);
                  else subscription = attempt();
                },
                () => observer.error(error),
              );
            },
            complete() {
              void pending.then(() => observer.complete());
            },
          });
        }
        return () => subscription.unsubscribe();
      });
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
