/**
 * Plain HTTP routes for people and infrastructure: GET / (what this is), /healthz (load
 * balancer and Render health check), /version (what is deployed), /metrics (Prometheus).
 */
import { Hono } from 'hono';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { constantTimeEqual, sha256 } from '../lib/hash';
import { checkDatabase } from '../system/system.service';
import { SERVICE_NAME, SERVICE_VERSION } from '../version';
import type { AppEnv } from './app-env';
import { errorResponse } from './error-response';

/** Digests have one length, so not even the token's length leaks through the comparison. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = header?.replace(/^Bearer\s+/i, '') ?? '';
  return constantTimeEqual(sha256(presented), sha256(token));
}

export function systemRoutes(deps: Deps) {
  const { config } = deps;
  return new Hono<AppEnv>()
    .get('/', (c) =>
      c.json({
        name: SERVICE_NAME,
        version: SERVICE_VERSION,
        links: {
          health: `${config.publicUrl}/healthz`,
          version: `${config.publicUrl}/version`,
          metrics: `${config.publicUrl}/metrics`,
          trpc: `${config.publicUrl}/trpc`,
        },
      }),
    )
    .get('/healthz', async (c) => {
      const database = await checkDatabase(deps);
      const body = {
        status: database.reachable ? 'ok' : 'unavailable',
        database: { status: database.reachable ? 'up' : 'down', latencyMs: database.latencyMs },
      };
      c.header('cache-control', 'no-store');
      return c.json(body, database.reachable ? 200 : 503);
    })
    .get('/version', (c) =>
      c.json({
        name: SERVICE_NAME,
        version: SERVICE_VERSION,
        commit: config.gitCommit ?? null,
        node: process.version,
      }),
    )
    .get('/metrics', async (c) => {
      if (
        config.metricsToken &&
        !bearerMatches(c.req.header('authorization'), config.metricsToken)
      ) {
        return errorResponse(
          c,
          new AppError('UNAUTHENTICATED', 'A valid metrics token is required'),
        );
      }
      const { registry } = deps.metrics;
      return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
    });
}
