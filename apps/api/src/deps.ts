/**
 * Everything the app talks to, built once and passed in: tests swap the clock or the log
 * destination and reuse the rest as it runs in production.
 */

import type { Database } from '@tollbooth/db';
import { createDb } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Config } from './config';
import { type Clock, systemClock } from './lib/clock';
import { createLogger, type Logger } from './lib/logger';
import { createMetrics, type Metrics } from './metrics/metrics';

export interface Deps {
  config: Config;
  db: Kysely<Database>;
  pool: pg.Pool;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
}

export interface DepsOverrides {
  logger?: Logger;
  clock?: Clock;
}

export interface OwnedDeps {
  deps: Deps;
  /** Releases what createDeps opened (the pool). */
  close(): Promise<void>;
}

export function createDeps(config: Config, overrides: DepsOverrides = {}): OwnedDeps {
  if (!config.databaseUrl) throw new Error('createDeps needs config.databaseUrl');
  const logger =
    overrides.logger ??
    createLogger({ level: config.logLevel, pretty: config.nodeEnv === 'development' });
  const handle = createDb({
    connectionString: config.databaseUrl,
    max: config.databasePoolMax,
    onIdleClientError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  });
  return {
    deps: {
      config,
      db: handle.db,
      pool: handle.pool,
      logger,
      clock: overrides.clock ?? systemClock,
      metrics: createMetrics(handle.pool),
    },
    close: () => handle.close(),
  };
}
