/**
 * Builds the whole HTTP surface from its dependencies, without listening: server.ts listens,
 * tests call `app.request()` in-process.
 *
 * Middleware order matters: the request id comes first so every later line and response
 * carries it; logging wraps everything after it so it sees the final status, errors included.
 */

import type { AnyTRPCRouter } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps } from './deps';
import { AppError } from './errors/app-error';
import { isUnexpected, toPublicError } from './errors/error-shape';
import type { AppEnv } from './http/app-env';
import { errorResponse } from './http/error-response';
import { clientIp } from './http/middleware/client-ip';
import { requestId } from './http/middleware/request-id';
import { requestLog } from './http/middleware/request-log';
import { systemRoutes } from './http/system.routes';
import { createContext } from './trpc/create-context';
import { appRouter } from './trpc/root';

export interface CreateAppOptions {
  /** Replaces the tRPC router; only tests of the transport use this. */
  router?: AnyTRPCRouter;
}

export function createApp(deps: Deps, options: CreateAppOptions = {}) {
  const { config, logger } = deps;
  const app = new Hono<AppEnv>();

  app.use(requestId());
  app.use(requestLog(logger, deps.metrics));
  app.use(clientIp(config.trustProxyHops));
  app.use(secureHeaders());
  app.use(
    cors({
      origin: (origin) => (config.allowedOrigins.includes(origin) ? origin : null),
      credentials: true,
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: [
        'content-type',
        'authorization',
        'x-request-id',
        'idempotency-key',
        'trpc-accept',
      ],
      exposeHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    }),
  );
  app.use(
    bodyLimit({
      maxSize: config.bodyLimitBytes,
      onError: (c) =>
        errorResponse(
          c,
          new AppError('PAYLOAD_TOO_LARGE', `Request body exceeds ${config.bodyLimitBytes} bytes`),
        ),
    }),
  );

  app.route('/', systemRoutes(deps));

  app.all('/trpc/*', (c) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req: c.req.raw,
      router: options.router ?? appRouter,
      createContext: () => createContext(deps, c),
      onError({ error, path }) {
        if (isUnexpected(toPublicError(error))) {
          logger.error({ err: error, path, requestId: c.get('requestId') }, 'procedure failed');
        }
      },
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
    const publicError = toPublicError(error);
    if (isUnexpected(publicError)) {
      logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
    }
    return errorResponse(c, publicError);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
