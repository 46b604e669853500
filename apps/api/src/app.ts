/**
 * Builds the whole HTTP surface from its dependencies, without listening: server.ts listens,
 * tests call `app.request()` in-process.
 *
 * Middleware order matters: the request id comes first so every later line and response
 * carries it; logging wraps everything after it so it sees the final status, errors included.
 * Response headers are prepared with `c.header()` before handlers run (see
 * http/middleware/response-headers.ts for why), so handlers must answer through the context
 * (or, for a Response built elsewhere, through http/prepared-headers.ts).
 */

import type { AnyTRPCRouter } from '@trpc/server';
import { Hono } from 'hono';
import { oauthRoutes } from './auth/oauth/oauth.routes';
import { stripeWebhookRoutes } from './billing/webhooks/stripe-webhook.route';
import type { Deps } from './deps';
import { AppError } from './errors/app-error';
import { toPublicError } from './errors/error-shape';
import type { AppEnv } from './http/app-env';
import { errorResponse } from './http/error-response';
import { jwksRoutes } from './http/jwks.routes';
import { logFailure } from './http/log-failure';
import { bodyLimit } from './http/middleware/body-limit';
import { clientIp } from './http/middleware/client-ip';
import { requestId } from './http/middleware/request-id';
import { requestLog } from './http/middleware/request-log';
import { responseHeaders } from './http/middleware/response-headers';
import { trpcRequestGuards } from './http/middleware/trpc-request-guards';
import { systemRoutes } from './http/system.routes';
import { trpcRoute } from './http/trpc-route';
import { appRouter } from './trpc/root';

export interface CreateAppOptions {
  /** Replaces the tRPC router; only tests of the transport use this. */
  router?: AnyTRPCRouter;
  /** false: every /trpc request through tRPC's adapter (http/trpc-route.ts). */
  directCalls?: boolean;
}

export function createApp(deps: Deps, options: CreateAppOptions = {}) {
  const { config, logger } = deps;
  const app = new Hono<AppEnv>();

  app.use(requestId());
  app.use(requestLog(logger, deps.metrics));
  app.use(clientIp(config.trustProxyHops));
  app.use(responseHeaders({ allowedOrigins: config.allowedOrigins, hsts: config.isProduction }));
  // Before the body limit: an oversized batch or a wrong method is refused unread.
  app.use('/trpc/*', trpcRequestGuards('/trpc'));
  // Only methods with a body: reading c.req.raw on every GET would cost a full Request object.
  app.on(
    ['POST', 'PUT', 'PATCH', 'DELETE'],
    '*',
    bodyLimit({
      maxSize: config.bodyLimitBytes,
      onError: (c) => {
        // The rest of the body is never read, and the node adapter cuts such a socket soon
        // after answering: a keep-alive client must not send its next request down it.
        c.header('Connection', 'close');
        return errorResponse(
          c,
          new AppError('PAYLOAD_TOO_LARGE', `Request body exceeds ${config.bodyLimitBytes} bytes`),
        );
      },
    }),
  );

  app.route('/', systemRoutes(deps));
  app.route('/', jwksRoutes(deps));
  app.route('/', oauthRoutes(deps));
  app.route('/', stripeWebhookRoutes(deps));

  app.all(
    '/trpc/*',
    trpcRoute(deps, {
      endpoint: '/trpc',
      router: options.router ?? appRouter,
      directCalls: options.directCalls,
    }),
  );

  app.notFound((c) => {
    c.set('unmatched', true);
    return errorResponse(
      c,
      new AppError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`),
    );
  });

  app.onError((error, c) => {
    logFailure(logger, error, { requestId: c.get('requestId') }, 'unhandled error');
    return errorResponse(c, toPublicError(error));
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
