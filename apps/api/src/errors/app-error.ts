import { TRPCError } from '@trpc/server';
import { APP_CODES, type AppCode } from './app-codes';

export interface AppErrorOptions {
  /** Per-field messages, e.g. `{ email: ['is already registered'] }`. */
  fieldErrors?: Record<string, string[]>;
  /** Extra machine-readable details safe to show the client (e.g. retryAfterSeconds). */
  details?: Record<string, string | number | boolean>;
  cause?: unknown;
}

/**
 * An expected failure: carries a stable `appCode` and maps to a fixed tRPC code. Being a
 * TRPCError, it keeps its code when thrown inside a procedure; Hono routes map it by hand.
 */
export class AppError extends TRPCError {
  readonly appCode: AppCode;
  readonly fieldErrors: Record<string, string[]> | undefined;
  readonly details: Record<string, string | number | boolean> | undefined;

  constructor(appCode: AppCode, message: string, options: AppErrorOptions = {}) {
    super({ code: APP_CODES[appCode], message, cause: options.cause });
    this.name = 'AppError';
    this.appCode = appCode;
    this.fieldErrors = options.fieldErrors;
    this.details = options.details;
  }
}
