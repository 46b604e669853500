import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

export interface CreateDbOptions {
  connectionString: string;
  /** Pool size. Two cores serve best with a small pool; raise it for a bigger database. */
  max?: number;
  /**
   * How long a query may wait for a connection before failing, in ms: a free pooled one, or a
   * new one being opened (pg-pool applies the one bound to both). A database that is down
   * refuses at once; this bounds a black-holed host and a pool whose connections are all busy.
   */
  connectionTimeoutMillis?: number;
  /**
   * The server cancels any statement (lock waits included) running longer than this, in ms
   * (SQLSTATE 57014), so a slow query or a held row lock cannot keep a pooled connection, and
   * the request on it, for longer. Sent as the session's `statement_timeout` when the
   * connection opens; unset or 0 leaves the server's own setting.
   */
  statementTimeoutMillis?: number;
  /** Recorded in pg_stat_activity so operators can tell our connections apart. */
  applicationName?: string;
  /** Called when an idle pooled connection fails (e.g. the database restarted). */
  onIdleClientError?: (error: Error) => void;
}

export interface DbHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  /** Ends the pool; safe to call twice. */
  close(): Promise<void>;
}

const INT8_OID = 20;

/**
 * `pg` returns int8 as a string so that no precision is lost silently. Our int8 values are
 * counts and money in integer units, far below 2^53; we parse them to numbers and refuse the
 * value rather than round it if one ever is not.
 */
function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) {
    throw new RangeError(`int8 value ${value} is outside the safe integer range`);
  }
  return parsed;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format);
  },
} as const;

export function createPool(options: CreateDbOptions): pg.Pool {
  return new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    ...(options.statementTimeoutMillis && { statement_timeout: options.statementTimeoutMillis }),
    // A connection whose peer vanished without a FIN (a failed-over host) is noticed by TCP
    // keepalive instead of holding its query forever.
    keepAlive: true,
    application_name: options.applicationName ?? 'tollbooth',
    types,
  });
}

export function createDb(options: CreateDbOptions): DbHandle {
  const pool = createPool(options);
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next query opens a new one.
  pool.on('error', (error) => options.onIdleClientError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | undefined;
  return {
    db,
    pool,
    close() {
      closed ??= db.destroy();
      return closed;
    },
  };
}
