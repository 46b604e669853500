/**
 * The client for the product's own backend (Next.js route handlers, server actions, jobs):
 * it sends a secret server API key (`tb_sk_…`, made with admin.apiKeys.create) instead of a
 * user's tokens, and names the user it acts for in each call's `userId`.
 *
 * The key is a secret with the scopes it was given: keep it in server-only environment
 * variables (never `NEXT_PUBLIC_…`) and never ship this client to a browser.
 */
import type { AppRouter } from '@tollbooth/api/types';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { FetchLike, TollboothClient } from './client';

export interface TollboothServerClientOptions {
  /** Base URL of the Tollbooth API, e.g. `https://api.example.com` (tRPC lives at `/trpc`). */
  url: string;
  /** A server API key: `tb_sk_…`. */
  apiKey: string;
  /** A fetch implementation; the global fetch by default. */
  fetch?: FetchLike;
  /** Extra headers for every request (e.g. a request id to correlate logs). */
  headers?: Record<string, string>;
}

const API_KEY_PREFIX = 'tb_sk_';

export function createTollboothServerClient(
  options: TollboothServerClientOptions,
): TollboothClient {
  if (!options.apiKey.startsWith(API_KEY_PREFIX)) {
    // Fail at start-up, not on the first request: a user token or an empty env variable here
    // is a configuration mistake.
    throw new Error('createTollboothServerClient needs a server API key (tb_sk_…) as apiKey');
  }
  const base = options.url.replace(/\/+$/, '');
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  return createTRPCClient<AppRouter>({
    links: [
      // Unbatched: each call gets its own HTTP status (402, 409), and one slow call never
      // holds up the others of a route handler.
      httpLink({
        url: `${base}/trpc`,
        fetch: baseFetch,
        headers: () => ({ ...options.headers, authorization: `Bearer ${options.apiKey}` }),
      }),
    ],
  });
}
