import type { AppRouter } from '@tollbooth/api/types';
import { createTRPCClient, httpBatchLink } from '@trpc/client';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TollboothClientOptions {
  /** Base URL of the Tollbooth API, e.g. `https://api.example.com` (tRPC lives at `/trpc`). */
  url: string;
  /** A fetch implementation; the global fetch by default. */
  fetch?: FetchLike;
  /** Extra headers for every request, or a function computing them per request. */
  headers?:
    | Record<string, string>
    | (() => Record<string, string> | Promise<Record<string, string>>);
}

export type TollboothClient = ReturnType<typeof createTRPCClient<AppRouter>>;

export function createTollboothClient(options: TollboothClientOptions): TollboothClient {
  const base = options.url.replace(/\/+$/, '');
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${base}/trpc`,
        fetch: options.fetch,
        headers: options.headers,
      }),
    ],
  });
}
