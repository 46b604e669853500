import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';

/**
 * The client address. With `trustedProxyHops` = n, the address is the n-th entry from the
 * right of X-Forwarded-For: each trusted proxy appends the address it saw, and anything
 * further left was written by the client and may be forged. Without a socket (in-process
 * `app.request()` calls) and without trusted proxies the address is unknown (null).
 */
export function clientIp(trustedProxyHops: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('clientIp', resolveClientIp(c, trustedProxyHops));
    await next();
  };
}

function resolveClientIp(c: Parameters<MiddlewareHandler<AppEnv>>[0], hops: number): string | null {
  if (hops > 0) {
    const forwarded = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    const fromProxy = forwarded[forwarded.length - hops];
    if (fromProxy) return fromProxy;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}
