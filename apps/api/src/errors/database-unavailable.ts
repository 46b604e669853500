/**
 * Which thrown values mean "the database is down, restarting or too slow" rather than a bug
 * of ours: the pool could not get a connection in DATABASE_CONNECT_TIMEOUT_MS, the server
 * refused or dropped the connection, is shutting down or starting up, or cancelled a
 * statement at DATABASE_STATEMENT_TIMEOUT_MS. These answer 503 SERVICE_UNAVAILABLE
 * (error-shape.ts), which tells a client to retry with the same idempotency key; every
 * other database error (a constraint we did not expect, bad SQL) stays a scrubbed 500.
 *
 * The cause is looked for along `error.cause`, since tRPC wraps what a procedure throws.
 */

/**
 * SQLSTATEs. Class 08 is "connection exception" as a whole. 57P01 admin_shutdown, 57P02
 * crash_shutdown and 57P03 cannot_connect_now are a restart seen from either side; 57014
 * query_canceled is statement_timeout firing; 55P03 lock_not_available is a lock_timeout;
 * 53300 too_many_connections is a server whose connection slots are full.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '55P03', '53300']);
const CONNECTION_EXCEPTION_CLASS = '08';

/** Socket errors on the way to the database (the host is down, gone, or unreachable). */
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** pg and pg-pool raise these as plain Errors without a code. */
const UNAVAILABLE_MESSAGES = [
  // "Connection terminated unexpectedly", "… due to connection timeout"
  /^Connection terminated\b/,
  // pg-pool: no connection became free (or could be opened) within connectionTimeoutMillis.
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
];

/** How deep to follow `cause`: tRPC adds one level; more means something else is going on. */
const MAX_CAUSE_DEPTH = 5;

export interface DatabaseFailure {
  /** The SQLSTATE or socket error code, when the error had one. */
  code: string | null;
  message: string;
}

function codeOf(error: Error): string | null {
  return 'code' in error && typeof error.code === 'string' ? error.code : null;
}

function matches(error: Error): boolean {
  const code = codeOf(error);
  if (code !== null) {
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && code.startsWith(CONNECTION_EXCEPTION_CLASS)) return true;
  }
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** The database failure behind `error`, or undefined when it is something else. */
export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    if (matches(current)) return { code: codeOf(current), message: current.message };
    current = current.cause;
  }
  return undefined;
}
