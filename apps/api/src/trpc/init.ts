/**
 * tRPC, configured once.
 *
 * Errors: every error leaves through `toPublicError`, which adds `appCode`, per-field messages
 * for invalid input and the request id, and replaces the message of anything unexpected
 * (tRPC would otherwise send an unknown error's own message, and a stack outside production).
 */
import { initTRPC } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { AppCode } from '../errors/app-codes';
import { toPublicError } from '../errors/error-shape';
import type { Context } from './context';

export interface ErrorData {
  code: string;
  httpStatus: number;
  path?: string;
  appCode: AppCode;
  requestId: string | null;
  fieldErrors?: Record<string, string[]>;
  details?: Record<string, string | number | boolean>;
}

export const t = initTRPC.context<Context>().create({
  // Never attach stacks, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const publicError = toPublicError(error);
    const data: ErrorData = {
      code: publicError.code,
      httpStatus: publicError.httpStatus,
      ...(shape.data.path !== undefined && { path: shape.data.path }),
      appCode: publicError.appCode,
      requestId: ctx?.requestId ?? null,
      ...(publicError.fieldErrors && { fieldErrors: publicError.fieldErrors }),
      ...(publicError.details && { details: publicError.details }),
    };
    // The JSON-RPC number follows the public code: a database outage thrown as a plain error
    // reaches here as INTERNAL_SERVER_ERROR and leaves as SERVICE_UNAVAILABLE.
    return { message: publicError.message, code: TRPC_ERROR_CODES_BY_KEY[publicError.code], data };
  },
});
