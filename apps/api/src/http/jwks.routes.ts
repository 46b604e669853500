/**
 * GET /.well-known/jwks.json: the public keys that verify our access tokens, for other
 * services (and API gateways) that check tokens without calling us. Cacheable for a few
 * minutes: a rotated-in key is published before it signs anything (see signing-keys.ts).
 */
import { Hono } from 'hono';
import type { Deps } from '../deps';
import type { AppEnv } from './app-env';

const JWKS_MAX_AGE_SECONDS = 300;

export function jwksRoutes(deps: Pick<Deps, 'keys'>) {
  return new Hono<AppEnv>().get('/.well-known/jwks.json', async (c) => {
    const ring = await deps.keys();
    c.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    return c.json(ring.jwks);
  });
}
