import type { AppRouter } from '@tollbooth/api/types';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { authLink, createRefresher, tokensFrom } from './auth-link';
import { memoryTokenStore, type StoredTokens, type TokenStore } from './token-store';

/** The server's MAX_TRPC_BATCH_CALLS (apps/api/src/http/middleware/trpc-request-guards.ts). */
const MAX_BATCH_CALLS = 100;

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

type HeadersOption =
  | Record<string, string>
  | (() => Record<string, string> | Promise<Record<string, string>>);

export interface TollboothClientOptions {
  /** Base URL of the Tollbooth API, e.g. `https://api.example.com` (tRPC lives at `/trpc`). */
  url: string;
  /** A fetch implementation; the global fetch by default. */
  fetch?: FetchLike;
  /** Extra headers for every request, or a function computing them per request. */
  headers?: HeadersOption;
  /**
   * Where tokens are kept: `memoryTokenStore()` (default), `localStorageTokenStore()`, or
   * `cookieTokenStore()` for an HttpOnly refresh cookie.
   */
  tokenStore?: TokenStore;
}

export type TollboothClient = ReturnType<typeof createTRPCClient<AppRouter>>;

async function resolveHeaders(headers: HeadersOption | undefined) {
  return typeof headers === 'function' ? await headers() : (headers ?? {});
}

export function createTollboothClient(options: TollboothClientOptions): TollboothClient {
  const base = options.url.replace(/\/+$/, '');
  const store = options.tokenStore ?? memoryTokenStore();
  const cookieMode = store.mode === 'cookie';
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  // Cookie mode needs the browser to send and accept the refresh cookie cross-origin.
  const send: FetchLike = cookieMode
    ? (input, init) => baseFetch(input, { ...init, credentials: 'include' })
    : baseFetch;

  const refresh = createRefresher({
    store,
    async refresh(refreshToken): Promise<StoredTokens | null> {
      const response = await send(`${base}/trpc/auth.refresh`, {
        method: 'POST',
        headers: { ...(await resolveHeaders(options.headers)), 'content-type': 'application/json' },
        body: JSON.stringify(refreshToken ? { refreshToken } : { cookie: true }),
      });
      // 401: the session is over (revoked, reused, expired): forget the tokens. Anything
      // else (429, 5xx) is transient: keep them and let the call fail this time.
      if (response.status === 401) return null;
      if (!response.ok) throw new Error(`token refresh failed with HTTP ${response.status}`);
      const body: unknown = await response.json();
      const result =
        typeof body === 'object' && body !== null && 'result' in body ? body.result : undefined;
      const data =
        typeof result === 'object' && result !== null && 'data' in result ? result.data : undefined;
      return tokensFrom(data);
    },
  });

  return createTRPCClient<AppRouter>({
    links: [
      authLink({ store, refresh }),
      httpBatchLink({
        url: `${base}/trpc`,
        fetch: send,
        // The server refuses a batch of more calls (BATCH_TOO_LARGE): split before that.
        maxItems: MAX_BATCH_CALLS,
        async headers() {
          const tokens = await store.get();
          return {
            ...(await resolveHeaders(options.headers)),
            ...(tokens && { authorization: `Bearer ${tokens.accessToken}` }),
          };
        },
      }),
    ],
  });
}
