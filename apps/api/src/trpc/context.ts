import type { Deps } from '../deps';
import type { Logger } from '../lib/logger';

/**
 * What every procedure sees: the dependencies plus who is calling, from where.
 *
 * `deps` and `logger` are marked internal so that the SDK's bundled declarations
 * (built with `stripInternal`) never reach database, logger or other server types.
 */
export interface Context {
  /** @internal */
  deps: Deps;
  /** @internal */
  logger: Logger;
  requestId: string;
  /** Client address (behind TRUST_PROXY_HOPS proxies); null when unknown (in-process calls). */
  ip: string | null;
  userAgent: string | null;
  /** @internal What auth reads from the request: bearer token, cookies, Origin. */
  http: RequestAuthHeaders;
  /** @internal Headers added to the response (Set-Cookie, Retry-After). */
  resHeaders: Headers;
}

export interface RequestAuthHeaders {
  authorization: string | null;
  cookie: string | null;
  origin: string | null;
}
