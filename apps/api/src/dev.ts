/**
 * `pnpm dev`: one command, zero configuration. Starts the persistent dev database under
 * `.data/postgres` (unless DATABASE_URL is set) once, migrates it, and runs the API with
 * reload on change. Postgres outlives reloads, so a reload costs a Node restart, not a
 * cluster restart.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defaultMigrationsDir, migrate } from '@tollbooth/db';
import { startDevPostgres } from '@tollbooth/db/embedded';
import { ConfigError, parseConfig } from './config';

const apiDir = fileURLToPath(new URL('..', import.meta.url));

function readConfig() {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const external = config.databaseUrl;
const cluster = external
  ? undefined
  : await startDevPostgres({ ...config.embeddedPostgres, callerHandlesSignals: true });
const databaseUrl = external ?? cluster?.databaseUrl;
if (!databaseUrl) throw new Error('no database');

const result = await migrate({
  connectionString: databaseUrl,
  migrationsDir: defaultMigrationsDir(),
});
console.log(
  `[dev] database ${external ? 'from DATABASE_URL' : `embedded on port ${cluster?.port} (.data/postgres)`}; ${result.applied.length} migration(s) applied`,
);

const child = spawn(
  process.execPath,
  [
    createRequire(import.meta.url).resolve('tsx/cli'),
    'watch',
    '--clear-screen=false',
    'src/server.ts',
  ],
  {
    cwd: apiDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      MIGRATE_ON_START: 'false',
    },
  },
);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  await new Promise((resolve) =>
    child.exitCode === null ? child.once('exit', resolve) : resolve(null),
  );
  await cluster?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
child.on('exit', (code) => void stop(code ?? 0));
