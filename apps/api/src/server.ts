/**
 * The process entry point: read config, connect (or start the dev database), migrate when
 * asked to, listen, and shut down gracefully on SIGTERM/SIGINT.
 */
import { defaultMigrationsDir, migrate } from '@tollbooth/db';
import { createApp } from './app';
import { NativeModuleError } from './auth/passwords/argon2-binding';
import { type Config, parseConfigOrExit } from './config';
import { createDeps } from './deps';
import { listen } from './http-server';
import { installJobQueue, type RunningWorker, startWorker } from './jobs/worker';
import { createLogger } from './lib/logger';

interface Owned {
  stop(): Promise<void>;
}

async function resolveDatabase(config: Config): Promise<{ config: Config; owned?: Owned }> {
  if (config.databaseUrl) return { config };
  // Only outside production (config requires DATABASE_URL there): the persistent dev cluster.
  const { startDevPostgres } = await import('@tollbooth/db/embedded');
  const cluster = await startDevPostgres({
    ...config.embeddedPostgres,
    callerHandlesSignals: true,
  });
  return { config: { ...config, databaseUrl: cluster.databaseUrl }, owned: cluster };
}

async function main(): Promise<void> {
  const parsed = parseConfigOrExit(process.env);
  const bootLogger = createLogger({
    level: parsed.logLevel,
    pretty: parsed.nodeEnv === 'development',
  });
  const { config, owned } = await resolveDatabase(parsed);
  if (config.migrateOnStart && config.databaseUrl) {
    const result = await migrate({
      connectionString: config.databaseUrl,
      migrationsDir: defaultMigrationsDir(),
      onApplied: (name) => bootLogger.info({ migration: name }, 'applied migration'),
    });
    bootLogger.info(
      { applied: result.applied.length, total: result.applied.length + result.alreadyApplied },
      'database migrated',
    );
  }

  const { deps, close: closeDeps } = createDeps(config, { logger: bootLogger });
  // A broken argon2 binding must stop the start as one clear line, not a crash at first login.
  await deps.passwords.ready?.();
  // Requests enqueue jobs, so the queue's schema must exist before the first one (idempotent:
  // one query when it is current).
  await installJobQueue(deps.pool, bootLogger);
  // Dev runs the worker in-process (one command); production runs `pnpm worker` separately.
  const worker: RunningWorker | undefined = config.workerInProcess
    ? await startWorker(deps)
    : undefined;
  const app = createApp(deps);
  const server = await listen(app, { port: config.port, host: config.host });
  bootLogger.info(
    { url: server.url, env: config.nodeEnv },
    `Tollbooth API listening on ${server.url}`,
  );

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    bootLogger.info({ signal }, 'shutting down');
    await server.close(config.shutdownTimeoutMs);
    await worker?.stop();
    await closeDeps();
    await owned?.stop();
    bootLogger.info('stopped');
    bootLogger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

// A start-up failure that is not a configuration error (those exit in parseConfigOrExit
// with their one line) is a bug or a broken environment: print the whole stack.
// A native module that cannot load says everything in its one line.
main().catch((error: unknown) => {
  if (error instanceof NativeModuleError) console.error(error.message);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
