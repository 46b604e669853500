import type { AppCode, AppRouter } from '@tollbooth/api/types';
import { TRPCClientError } from '@trpc/client';

export type { AppCode };

export type TollboothError = TRPCClientError<AppRouter>;

/**
 * Narrows an error thrown by a client call. With `appCode`, also checks the server's stable
 * application code (`error.data.appCode`), e.g. `isTollboothError(err, 'INVALID_CREDENTIALS')`.
 */
export function isTollboothError(error: unknown, appCode?: AppCode): error is TollboothError {
  if (!(error instanceof TRPCClientError)) return false;
  if (appCode === undefined) return true;
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null && 'appCode' in data && data.appCode === appCode;
}
