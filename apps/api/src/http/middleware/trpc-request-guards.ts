/**
 * Refusals for `/trpc/*` that tRPC itself gets wrong or does not make, answered before tRPC
 * reads the body, in tRPC's own error shape (one error for a whole batch, which
 * `httpBatchLink` hands to each of its calls) so a typed client sees the appCode:
 *
 * - a batch (`/trpc/a,b,c?batch=1`) of more than `maxBatchCalls`: tRPC runs every call of a
 *   batch at once, so one request of a few kilobytes would fan out into thousands of
 *   concurrent procedure runs queued on the database pool ahead of everyone else (tRPC's
 *   own `maxBatchSize` refuses with a bare BAD_REQUEST: no appCode, no limit in the answer);
 * - a method other than GET, HEAD and POST (tRPC answered DELETE and OPTIONS with a 415);
 * - a POST that is not JSON: tRPC's own 415 leaves before any context exists, so it carries
 *   no request id and goes out as text/plain.
 */
import { TRPCError } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../../errors/app-error';
import { toPublicError } from '../../errors/error-shape';
import type { ErrorData } from '../../trpc/init';
import type { AppEnv } from '../app-env';

/** Generous for a page's worth of queries; the SDK's `httpBatchLink` splits at the same size. */
export const MAX_TRPC_BATCH_CALLS = 100;

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

export function trpcRequestGuards(
  endpoint: string,
  maxBatchCalls = MAX_TRPC_BATCH_CALLS,
): MiddlewareHandler<AppEnv> {
  const prefix = `${endpoint}/`;
  return async (c, next) => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') {
      c.header('Allow', 'GET, POST');
      return refuse(c, new AppError('METHOD_NOT_ALLOWED', `${method} is not a tRPC method`));
    }
    if (method === 'POST' && !JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '')) {
      const message = 'Send the input as content-type: application/json';
      return refuse(c, new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message }));
    }
    // Cheap test first: only batch calls pay for parsing the query string.
    if (!c.req.url.includes('batch=') || c.req.query('batch') !== '1') return next();
    const calls = countCalls(c.req.path.slice(prefix.length));
    if (calls <= maxBatchCalls) return next();
    return refuse(
      c,
      new AppError(
        'BATCH_TOO_LARGE',
        `A batch may hold at most ${maxBatchCalls} calls; this one has ${calls}`,
        { details: { maxCalls: maxBatchCalls, calls } },
      ),
    );
  };
}

/** tRPC splits the path on commas; counting them avoids building thousands of strings. */
function countCalls(paths: string): number {
  let calls = 1;
  for (let i = paths.indexOf(','); i !== -1; i = paths.indexOf(',', i + 1)) calls++;
  return calls;
}

/** The body tRPC's error formatter (trpc/init.ts) would have sent for this error. */
function refuse(c: Context<AppEnv>, thrown: TRPCError) {
  const error = toPublicError(thrown);
  const data: ErrorData = {
    code: error.code,
    httpStatus: error.httpStatus,
    appCode: error.appCode,
    requestId: c.get('requestId'),
    ...(error.details && { details: error.details }),
  };
  const body = {
    error: { message: error.message, code: TRPC_ERROR_CODES_BY_KEY[error.code], data },
  };
  return c.json(body, isErrorStatus(error.httpStatus) ? error.httpStatus : 500);
}

function isErrorStatus(status: number): status is ContentfulStatusCode {
  return Number.isInteger(status) && status >= 400 && status <= 599;
}
