import type { Context as HonoContext } from 'hono';
import type { Deps } from '../deps';
import type { AppEnv } from '../http/app-env';
import type { Context } from './context';

/** The request-independent part, also used to call procedures without HTTP (scripts, tests). */
export function createInnerContext(
  deps: Deps,
  request: Partial<Pick<Context, 'requestId' | 'ip' | 'userAgent' | 'http' | 'resHeaders'>> = {},
): Context {
  const requestId = request.requestId ?? 'internal';
  return {
    deps,
    requestId,
    ip: request.ip ?? null,
    userAgent: request.userAgent ?? null,
    logger: deps.logger.child({ requestId }),
    http: request.http ?? { authorization: null, cookie: null, origin: null },
    resHeaders: request.resHeaders ?? new Headers(),
  };
}

export function createContext(
  deps: Deps,
  c: HonoContext<AppEnv>,
  resHeaders: Headers = new Headers(),
): Context {
  return createInnerContext(deps, {
    requestId: c.get('requestId'),
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent') ?? null,
    http: {
      authorization: c.req.header('authorization') ?? null,
      cookie: c.req.header('cookie') ?? null,
      origin: c.req.header('origin') ?? null,
    },
    resHeaders,
  });
}
