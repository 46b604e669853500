/**
 * Test databases. One PostgreSQL per test run (a throwaway embedded cluster, or the server in
 * DATABASE_URL), one migrated template database per run, and one database per test file
 * cloned from the template with `CREATE DATABASE … TEMPLATE …`: a file never sees another
 * file's rows, files run in parallel, and each clone costs milliseconds instead of a migration.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type EmbeddedCluster, startEmbeddedPostgres } from './embedded';
import { migrate } from './migrator';
import { defaultMigrationsDir } from './paths';

export interface TestServer {
  /** URL of a database on the server whose role may create databases. */
  adminUrl: string;
  /** Prefix of every database this run creates, so teardown drops only its own. */
  prefix: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the free port'));
      });
    });
  });
}

function runPrefix(): string {
  return `tt_${randomBytes(4).toString('hex')}`;
}

/**
 * An embedded cluster in a fresh temporary directory, on a free port, deleted on stop.
 * `durable: false` (tests) trades crash safety for speed; the bench keeps it on.
 */
export async function startThrowawayCluster(options: {
  durable: boolean;
}): Promise<EmbeddedCluster> {
  const base = await throwawayDirectory();
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(base, 'data'),
    port: await freePort(),
    persistent: false,
    durable: options.durable,
  });
  return {
    ...cluster,
    async stop() {
      await cluster.stop();
      await rm(base, { recursive: true, force: true });
    },
  };
}

async function throwawayDirectory(): Promise<string> {
  const base = await mkdtemp(path.join(tmpdir(), 'tollbooth-pg-'));
  // The cluster runs as the `postgres` user when we are root; it must be able to enter.
  await chmod(base, 0o755);
  return base;
}

/** A throwaway cluster that a test takes down and brings back under a running app. */
export interface RestartableCluster extends EmbeddedCluster {
  /**
   * Stops the postmaster and keeps the data: Postgres' fast shutdown, so open sessions end
   * with 57P01 (admin_shutdown) and new connections are refused until `startUp()`.
   */
  shutDown(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts queries. */
  startUp(): Promise<void>;
  /** Whether the postmaster is running (between `startUp()` and `shutDown()`). */
  readonly running: boolean;
}

/**
 * Like startThrowawayCluster, but the data survives a shutDown() so the same databases come
 * back on the same port: a database restart as a deployed app sees one. stop() deletes it.
 */
export async function startRestartableCluster(): Promise<RestartableCluster> {
  const base = await throwawayDirectory();
  const options = {
    dataDir: path.join(base, 'data'),
    port: await freePort(),
    persistent: true,
    durable: false,
  };
  let current: EmbeddedCluster | undefined = await startEmbeddedPostgres(options);
  const first = current;
  const shutDown = async () => {
    const cluster = current;
    current = undefined;
    await cluster?.stop();
  };
  return {
    port: first.port,
    dataDir: first.dataDir,
    url: first.url,
    get running() {
      return current !== undefined;
    },
    shutDown,
    async startUp() {
      current ??= await startEmbeddedPostgres(options);
    },
    async stop() {
      await shutDown();
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** Starts a throwaway embedded cluster, or uses the server in `databaseUrl` when given. */
export async function startTestServer(databaseUrl?: string): Promise<TestServer> {
  const prefix = runPrefix();
  if (databaseUrl) {
    return {
      adminUrl: databaseUrl,
      prefix,
      stop: () => dropDatabasesWithPrefix(databaseUrl, prefix),
    };
  }
  const cluster = await startThrowawayCluster({ durable: false });
  return { adminUrl: cluster.url(), prefix, stop: () => cluster.stop() };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** SQLSTATE 55006: the template is briefly busy while a concurrent clone copies it. */
const OBJECT_IN_USE = '55006';

async function createDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  await withAdminClient(adminUrl, async (client) => {
    const from = template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : '';
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${from}`);
        return;
      } catch (error) {
        const busy = error instanceof pg.DatabaseError && error.code === OBJECT_IN_USE;
        if (!busy || attempt >= 50) throw error;
        await sleep(20 * attempt);
      }
    }
  });
  return withDatabase(adminUrl, name);
}

/** An empty database (no migrations), for tests of the migrator itself. */
export function createEmptyDatabase(
  server: Pick<TestServer, 'adminUrl' | 'prefix'>,
): Promise<string> {
  return createDatabase(server.adminUrl, `${server.prefix}_${randomBytes(6).toString('hex')}`);
}

/** Migrates the run's template database once; returns its name. */
export async function createTemplateDatabase(
  server: Pick<TestServer, 'adminUrl' | 'prefix'>,
  migrationsDir = defaultMigrationsDir(),
): Promise<string> {
  const name = `${server.prefix}_template`;
  const url = await createDatabase(server.adminUrl, name);
  await migrate({ connectionString: url, migrationsDir });
  return name;
}

/** A fresh, migrated database for one test file. */
export function cloneTemplateDatabase(
  server: Pick<TestServer, 'adminUrl' | 'prefix'>,
  template: string,
): Promise<string> {
  return createDatabase(
    server.adminUrl,
    `${server.prefix}_${randomBytes(6).toString('hex')}`,
    template,
  );
}

export async function dropDatabasesWithPrefix(adminUrl: string, prefix: string): Promise<void> {
  await withAdminClient(adminUrl, async (client) => {
    const result = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%'",
      [prefix],
    );
    for (const { datname } of result.rows) {
      await client.query(
        `DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`,
      );
    }
  });
}
