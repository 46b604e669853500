import type { Deps } from '../deps';
import { databaseFailure } from '../errors/database-unavailable';
import { isUnexpected, toPublicError } from '../errors/error-shape';

/**
 * Unexpected errors go to the log with their stack; a database outage or timeout gets one
 * warning naming its cause (SQLSTATE or socket code), since the 503 body says nothing of it.
 */
export function logFailure(
  logger: Deps['logger'],
  error: unknown,
  fields: { path?: string; requestId: string },
  message: string,
) {
  const publicError = toPublicError(error);
  if (isUnexpected(publicError)) {
    logger.error({ err: error, ...fields }, message);
    return;
  }
  const database = databaseFailure(error);
  if (database) logger.warn({ ...fields, database }, 'database unavailable');
}
