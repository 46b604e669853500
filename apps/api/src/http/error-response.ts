import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type PublicError, toPublicError } from '../errors/error-shape';
import type { AppEnv } from './app-env';

/** The JSON envelope of plain HTTP routes; the fields match tRPC's `error.data`. */
export function errorResponse(c: Context<AppEnv>, error: PublicError | unknown) {
  const publicError = isPublicError(error) ? error : toPublicError(error);
  const body = {
    error: {
      code: publicError.code,
      appCode: publicError.appCode,
      message: publicError.message,
      requestId: c.get('requestId'),
      ...(publicError.fieldErrors && { fieldErrors: publicError.fieldErrors }),
      ...(publicError.details && { details: publicError.details }),
    },
  };
  const retryAfter = publicError.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') c.header('retry-after', String(retryAfter));
  // Through the context, so headers prepared by middleware (request id, CORS) are kept.
  return c.json(body, isErrorStatus(publicError.httpStatus) ? publicError.httpStatus : 500);
}

/** Error statuses are 4xx/5xx, all of which carry a body: narrows the number for Hono. */
function isErrorStatus(status: number): status is ContentfulStatusCode {
  return Number.isInteger(status) && status >= 400 && status <= 599;
}

function isPublicError(value: unknown): value is PublicError {
  return typeof value === 'object' && value !== null && 'appCode' in value && 'httpStatus' in value;
}
