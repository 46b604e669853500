import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

/**
 * The closed vocabulary of application error codes. Clients branch on `error.data.appCode`;
 * each code has one transport code, so the wire stays predictable.
 */
export const APP_CODES = {
  /** Input failed validation; `fieldErrors` says which fields and why. */
  VALIDATION_FAILED: 'BAD_REQUEST',
  /** The request could not be read (malformed JSON, wrong batch format). */
  MALFORMED_REQUEST: 'BAD_REQUEST',
  /** The HTTP method does not fit the route or procedure type. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_SUPPORTED',
  /** The request body exceeds BODY_LIMIT_BYTES. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** No route or procedure by that name. */
  NOT_FOUND: 'NOT_FOUND',
  /** Missing, malformed, expired or revoked credentials. */
  UNAUTHENTICATED: 'UNAUTHORIZED',
  /** Authenticated, but not allowed to do this. */
  FORBIDDEN: 'FORBIDDEN',
  /** Too many attempts; retry after `retryAfterSeconds`. */
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  /** A dependency (the database) did not answer in time. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** Anything unexpected; details stay in the server log under the request id. */
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type AppCode = keyof typeof APP_CODES;

export function isAppCode(value: unknown): value is AppCode {
  return typeof value === 'string' && Object.hasOwn(APP_CODES, value);
}
