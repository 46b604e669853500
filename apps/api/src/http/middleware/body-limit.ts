/**
 * The request body limit (BODY_LIMIT_BYTES), without materialising a WHATWG Request for the
 * common case.
 *
 * Hono's `bodyLimit` starts with `c.req.raw.body`, and on @hono/node-server that getter builds
 * the full Request (undici's Request, an AbortController, a web stream over the socket) for
 * every POST — a fifth of the API's busy time under debit load (docs/decisions/0014). A body
 * with a Content-Length (what every client of ours sends) is judged by that header alone, as
 * Hono's middleware does too: Node's HTTP parser delivers exactly that many bytes, never more.
 * The handler then reads the body through @hono/node-server's direct path (`c.req.raw.text()`
 * straight off the socket). A body without one (chunked) goes to Hono's middleware, which
 * counts the bytes as they come and stops reading at the limit.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';

export function bodyLimit(options: {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}): MiddlewareHandler {
  const streaming = honoBodyLimit(options);
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) {
      return streaming(c, next);
    }
    if (Number.parseInt(length, 10) > options.maxSize) return options.onError(c);
    await next();
  };
}
