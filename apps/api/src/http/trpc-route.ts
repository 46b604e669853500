/**
 * `/trpc/*`: the SDK's request shapes are answered by calling the procedures directly
 * (trpc-direct-calls.ts); every other request goes through tRPC's fetch adapter. Both share
 * the context, the failure log and the Retry-After rule, so a caller cannot tell them apart.
 */
import type { AnyTRPCRouter } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Context as HonoContext } from 'hono';
import type { Deps } from '../deps';
import { toPublicError } from '../errors/error-shape';
import { createContext } from '../trpc/create-context';
import type { AppEnv } from './app-env';
import { logFailure } from './log-failure';
import { withPreparedHeaders } from './prepared-headers';
import { answerDirectly, type DirectCallHooks } from './trpc-direct-calls';

export interface TrpcRouteOptions {
  endpoint: string;
  router: AnyTRPCRouter;
  /** false sends every request through tRPC's adapter (the parity test compares the two). */
  directCalls?: boolean;
}

export function trpcRoute(deps: Deps, options: TrpcRouteOptions) {
  const { endpoint, router, directCalls = true } = options;
  return async (c: HonoContext<AppEnv>) => {
    const hooks: DirectCallHooks<ReturnType<typeof createContext>> = {
      createContext: (resHeaders) => createContext(deps, c, resHeaders),
      onError: ({ error, path }) =>
        logFailure(deps.logger, error, { path, requestId: c.get('requestId') }, 'procedure failed'),
      errorHeaders: retryAfterHeader,
    };
    const read: { text?: string } = {};
    if (directCalls) {
      const answered = await answerDirectly(c, router, endpoint, hooks, read);
      if (answered) return answered;
    }
    const response = await fetchRequestHandler({
      endpoint,
      // A body the direct path read is handed on in a Request of its own.
      req:
        read.text === undefined
          ? c.req.raw
          : new Request(c.req.url, {
              method: c.req.method,
              headers: c.req.raw.headers,
              body: read.text,
            }),
      router,
      createContext: ({ resHeaders }) => hooks.createContext(resHeaders),
      responseMeta: ({ errors }) => {
        const headers = retryAfterHeader(errors);
        return headers ? { headers } : {};
      },
      onError: ({ error, path }) => hooks.onError({ error, path }),
    });
    // Returned as tRPC built it, so @hono/node-server writes it in one go (see the module).
    return withPreparedHeaders(c, response);
  };
}

/** A rate-limited or 503 call says when to come back, in the standard header as well as the body. */
function retryAfterHeader(errors: readonly unknown[]): Headers | undefined {
  const seconds = errors
    .map((error) => toPublicError(error).details?.retryAfterSeconds)
    .find((value): value is number => typeof value === 'number');
  return seconds === undefined ? undefined : new Headers({ 'retry-after': String(seconds) });
}
