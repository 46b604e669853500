/**
 * The request facts the audit log records (request id, client IP, user agent), built once
 * per request by tRPC procedures and plain Hono routes alike.
 */
import type { RequestMeta } from './audit';

/** PostgreSQL text cannot hold NUL: a header carrying one must not turn into a 500. */
function withoutNul(value: string | null): string | null {
  return value?.replaceAll('\u0000', '') ?? null;
}

export function requestMeta(request: {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}): RequestMeta {
  return {
    requestId: request.requestId,
    ip: withoutNul(request.ip),
    userAgent: withoutNul(request.userAgent),
  };
}
