import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../../lib/logger';
import type { Metrics } from '../../metrics/metrics';
import type { AppEnv } from '../app-env';

/**
 * One log line and one metrics observation per request. The line holds method, matched
 * route, path without query string, status, duration and request id: never headers, bodies
 * or query strings, which carry tokens and codes.
 */
export function requestLog(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const status = c.res.status;
    // Unmatched paths share one label: a scanner must not mint a time series per URL.
    const route = c.get('unmatched') ? 'unmatched' : routePath(c);
    metrics.observeRequest({ method: c.req.method, route, status }, seconds);
    const line = {
      requestId: c.get('requestId'),
      method: c.req.method,
      route,
      path: c.req.path,
      status,
      ms: Math.round(seconds * 1000 * 10) / 10,
    };
    if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request');
  };
}
