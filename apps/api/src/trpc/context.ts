import type { Deps } from '../deps';
import type { Logger } from '../lib/logger';

// Members tagged internal (JSDoc) are server-side only: the SDK's bundled declarations are built
// with `stripInternal`, so database, logger and HTTP types never reach a client's types.

/** What every procedure sees: who is calling, from where (and, on the server, its deps). */
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
