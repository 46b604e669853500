import type { Context } from 'hono';

/**
 * Hands a Response built elsewhere (tRPC's) the headers middleware prepared with `c.header()`
 * (request id, CORS, security), by adding them to that Response's own headers.
 *
 * Why not `c.newResponse(response.body, response)`: reading `.body` turns @hono/node-server's
 * lightweight Response (a string and its headers) into a full undici Response with a
 * ReadableStream, which the adapter then pumps to the socket as headers and body in two
 * writes. Left as it is, the Response is written in one go (`responseViaCache`); the
 * profile in docs/decisions/0014-lean-request-path.md shows what the stream cost.
 *
 * `c.newResponse(null)` is the cheap way to read the prepared set: it builds a bodiless
 * lightweight Response around the prepared Headers, without copying them.
 *
 * Both sides may name `Vary` (tRPC: `trpc-accept, accept`; CORS: `Origin`): its values add
 * up, as do cookies. For every other header the handler's own value wins.
 */
export function withPreparedHeaders(c: Context, response: Response): Response {
  const prepared = c.newResponse(null).headers;
  const headers = response.headers;
  prepared.forEach((value, name) => {
    if (name === 'vary' || name === 'set-cookie') headers.append(name, value);
    else if (!headers.has(name)) headers.set(name, value);
  });
  return response;
}
