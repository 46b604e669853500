/**
 * The database a command-line script works on: DATABASE_URL, or (outside production, where
 * config requires DATABASE_URL) the persistent dev cluster under .data/postgres, started for
 * the script and stopped by `stop()`.
 */
import type { Config } from '../config';

export interface ScriptDatabase {
  databaseUrl: string;
  /** Stops the dev cluster when the script started it; nothing otherwise. */
  stop(): Promise<void>;
}

export async function openScriptDatabase(config: Config): Promise<ScriptDatabase> {
  if (config.databaseUrl) return { databaseUrl: config.databaseUrl, stop: async () => {} };
  const { startDevPostgres } = await import('@tollbooth/db/embedded');
  const cluster = await startDevPostgres({
    ...config.embeddedPostgres,
    callerHandlesSignals: true,
  });
  return { databaseUrl: cluster.databaseUrl, stop: () => cluster.stop() };
}
