/**
 * One translation from any thrown value to what a client may see. Used by the tRPC error
 * formatter and by the Hono error handler, so `/trpc` and plain routes agree on `appCode`,
 * `fieldErrors` and on what stays secret: a 500 never carries its original message.
 */
import { type TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { AppCode } from './app-codes';
import { AppError } from './app-error';
import { databaseFailure } from './database-unavailable';

export interface PublicError {
  code: TRPC_ERROR_CODE_KEY;
  appCode: AppCode;
  httpStatus: number;
  message: string;
  fieldErrors?: Record<string, string[]>;
  details?: Record<string, string | number | boolean>;
}

const DEFAULT_APP_CODE: Partial<Record<TRPC_ERROR_CODE_KEY, AppCode>> = {
  BAD_REQUEST: 'MALFORMED_REQUEST',
  PARSE_ERROR: 'MALFORMED_REQUEST',
  // A POST without `content-type: application/json`: the client's mistake, a 415, not a 500.
  UNSUPPORTED_MEDIA_TYPE: 'MALFORMED_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  METHOD_NOT_SUPPORTED: 'METHOD_NOT_ALLOWED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

const INTERNAL_MESSAGE = 'Internal server error';
const INVALID_INPUT_MESSAGE = 'Invalid input';

/** A database outage or timeout is the client's cue to retry soon, not a bug (database-unavailable.ts). */
const DATABASE_UNAVAILABLE: PublicError = {
  code: 'SERVICE_UNAVAILABLE',
  appCode: 'SERVICE_UNAVAILABLE',
  httpStatus: 503,
  message: 'The database is unavailable or did not answer in time; try again in a moment',
  details: { retryAfterSeconds: 1 },
};

const ROOT_FIELD = '_root';

interface ValidationIssue {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

/** Zod errors and Standard Schema errors both carry `issues`; we read only that. */
function validationIssues(cause: unknown): ValidationIssue[] | undefined {
  if (typeof cause !== 'object' || cause === null || !('issues' in cause)) return undefined;
  const { issues } = cause;
  if (!Array.isArray(issues)) return undefined;
  return issues.filter(
    (issue): issue is ValidationIssue =>
      typeof issue === 'object' && issue !== null && typeof issue.message === 'string',
  );
}

export function fieldErrorsFrom(issues: ValidationIssue[]): Record<string, string[]> {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of issues) {
    const key =
      (issue.path ?? [])
        .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
        .join('.') || ROOT_FIELD;
    const messages = fieldErrors[key] ?? [];
    messages.push(issue.message);
    fieldErrors[key] = messages;
  }
  return fieldErrors;
}

export function toPublicError(error: unknown): PublicError {
  if (error instanceof AppError) {
    return {
      code: error.code,
      appCode: error.appCode,
      httpStatus: getHTTPStatusCodeFromError(error),
      message: error.code === 'INTERNAL_SERVER_ERROR' ? INTERNAL_MESSAGE : error.message,
      ...(error.fieldErrors && { fieldErrors: error.fieldErrors }),
      ...(error.details && { details: error.details }),
    };
  }
  const unexpected = !(error instanceof TRPCError) || error.code === 'INTERNAL_SERVER_ERROR';
  if (unexpected && databaseFailure(error)) return DATABASE_UNAVAILABLE;
  if (error instanceof TRPCError) {
    const httpStatus = getHTTPStatusCodeFromError(error);
    const issues = error.code === 'BAD_REQUEST' ? validationIssues(error.cause) : undefined;
    if (issues) {
      return {
        code: 'BAD_REQUEST',
        appCode: 'VALIDATION_FAILED',
        httpStatus,
        message: INVALID_INPUT_MESSAGE,
        fieldErrors: fieldErrorsFrom(issues),
      };
    }
    // A bare TRPCError with a code we never use on purpose is a bug of ours: a scrubbed 500.
    const appCode = DEFAULT_APP_CODE[error.code];
    if (appCode) {
      return {
        code: error.code,
        appCode,
        httpStatus,
        message: httpStatus >= 500 ? INTERNAL_MESSAGE : clientSafeMessage(error),
      };
    }
  }
  return {
    code: 'INTERNAL_SERVER_ERROR',
    appCode: 'INTERNAL',
    httpStatus: 500,
    message: INTERNAL_MESSAGE,
  };
}

/**
 * tRPC turns anything thrown while reading input into a BAD_REQUEST carrying the thrown
 * message: a JSON SyntaxError or a URIError speaks of the client's own request, but anything
 * else (a schema's refinement throwing a TypeError) would tell the client about our code.
 */
function clientSafeMessage(error: TRPCError): string {
  const { cause } = error;
  const aboutTheRequest =
    cause === undefined || cause instanceof SyntaxError || cause instanceof URIError;
  return aboutTheRequest ? error.message : INVALID_INPUT_MESSAGE;
}

/** Whether the server log should carry the error with its stack (it was not expected). */
export function isUnexpected(error: PublicError): boolean {
  return error.appCode === 'INTERNAL';
}
