/**
 * Applies the plain `.sql` files of a migrations folder, in name order, each in its own
 * transaction, and records name + SHA-256 checksum in `schema_migrations`.
 *
 * Guarantees:
 * - Two migrators started at once (two deploys, two dev servers) serialise on a session
 *   advisory lock, so every file is applied exactly once.
 * - History is immutable: an applied file whose bytes changed, an applied file that is gone,
 *   or a new file that sorts before an applied one stops the run before anything is applied,
 *   with an error naming the file. Fix forward with a new file instead.
 * - A failing file rolls back completely (its statements and its record) and the error names
 *   the file, the line, and the database's message.
 *
 * Statements that refuse to run in a transaction (CREATE INDEX CONCURRENTLY) are not supported.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

/** Arbitrary but fixed: every Tollbooth migrator in any process contends for this one key. */
const MIGRATION_LOCK_KEY = 7_220_931_771;
const MIGRATION_FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;
/** A migrator waiting longer than this for another one is more likely stuck than slow. */
const LOCK_TIMEOUT = '120s';

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly file: string | undefined,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrationFile {
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrationStatusEntry {
  name: string;
  state: 'applied' | 'pending' | 'changed' | 'missing';
  appliedAt: Date | null;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

interface AppliedRow {
  name: string;
  checksum: string;
  applied_at: Date;
}

export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir);
  const files: MigrationFile[] = [];
  for (const name of entries.sort()) {
    if (!name.endsWith('.sql')) continue;
    if (!MIGRATION_FILE_PATTERN.test(name)) {
      throw new MigrationError(
        `Migration file ${name} does not match NNNN_snake_case.sql; rename it so its order is explicit.`,
        name,
      );
    }
    const sql = await readFile(path.join(dir, name), 'utf8');
    files.push({ name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  const seen = new Map<string, string>();
  for (const file of files) {
    const prefix = file.name.slice(0, 4);
    const other = seen.get(prefix);
    if (other) {
      throw new MigrationError(
        `Migrations ${other} and ${file.name} share the number ${prefix}.`,
        file.name,
      );
    }
    seen.set(prefix, file.name);
  }
  return files;
}

async function ensureTable(client: pg.Client): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      execution_ms integer NOT NULL
    )`);
}

async function readApplied(client: pg.Client): Promise<AppliedRow[]> {
  const result = await client.query<AppliedRow>(
    'SELECT name, checksum, applied_at FROM schema_migrations ORDER BY name',
  );
  return result.rows;
}

/** Refuses any history that does not extend cleanly to the files on disk. */
function plan(files: MigrationFile[], applied: AppliedRow[]): MigrationFile[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const row of applied) {
    const file = byName.get(row.name);
    if (!file) {
      throw new MigrationError(
        `Applied migration ${row.name} is missing from the migrations folder; restore the file.`,
        row.name,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        `Migration ${row.name} was edited after it was applied (checksum ${row.checksum.slice(0, 12)}… is now ${file.checksum.slice(0, 12)}…); restore it and add a new migration instead.`,
        row.name,
      );
    }
  }
  const appliedNames = new Set(applied.map((row) => row.name));
  const lastApplied = applied.at(-1)?.name;
  const pending = files.filter((file) => !appliedNames.has(file.name));
  const early = pending.find((file) => lastApplied !== undefined && file.name < lastApplied);
  if (early) {
    throw new MigrationError(
      `Migration ${early.name} is pending but sorts before the applied ${lastApplied}; renumber it after the last applied migration.`,
      early.name,
    );
  }
  return pending;
}

function lineOf(sql: string, position: string | undefined): number | undefined {
  const offset = Number(position);
  if (!Number.isInteger(offset) || offset < 1) return undefined;
  return sql.slice(0, offset - 1).split('\n').length;
}

async function applyFile(client: pg.Client, file: MigrationFile): Promise<void> {
  const started = performance.now();
  await client.query('BEGIN');
  try {
    await client.query(file.sql);
    await client.query(
      'INSERT INTO schema_migrations (name, checksum, execution_ms) VALUES ($1, $2, $3)',
      [file.name, file.checksum, Math.round(performance.now() - started)],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    const pgError = error instanceof pg.DatabaseError ? error : undefined;
    const line = lineOf(file.sql, pgError?.position);
    const where = line === undefined ? '' : ` (line ${line})`;
    const message = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${file.name} failed${where}: ${message}`, file.name);
  }
}

async function withLockedClient<T>(
  connectionString: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString, application_name: 'tollbooth-migrator' });
  await client.connect();
  try {
    await client.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('RESET lock_timeout');
    try {
      await ensureTable(client);
      return await work(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end();
  }
}

export interface MigrateOptions {
  connectionString: string;
  migrationsDir: string;
  /** Told about each file as it is applied (CLI progress, dev server log line). */
  onApplied?: (name: string) => void;
}

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const files = await readMigrationFiles(options.migrationsDir);
  return withLockedClient(options.connectionString, async (client) => {
    // Read history only once the lock is held: a concurrent migrator may just have applied some.
    const applied = await readApplied(client);
    const pending = plan(files, applied);
    for (const file of pending) {
      await applyFile(client, file);
      options.onApplied?.(file.name);
    }
    return { applied: pending.map((file) => file.name), alreadyApplied: applied.length };
  });
}

export async function migrationStatus(
  options: Pick<MigrateOptions, 'connectionString' | 'migrationsDir'>,
): Promise<MigrationStatusEntry[]> {
  const files = await readMigrationFiles(options.migrationsDir);
  return withLockedClient(options.connectionString, async (client) => {
    const applied = new Map((await readApplied(client)).map((row) => [row.name, row]));
    const entries: MigrationStatusEntry[] = files.map((file) => {
      const row = applied.get(file.name);
      if (!row) return { name: file.name, state: 'pending', appliedAt: null };
      return {
        name: file.name,
        state: row.checksum === file.checksum ? 'applied' : 'changed',
        appliedAt: row.applied_at,
      };
    });
    const onDisk = new Set(files.map((file) => file.name));
    for (const row of applied.values()) {
      if (!onDisk.has(row.name)) {
        entries.push({ name: row.name, state: 'missing', appliedAt: row.applied_at });
      }
    }
    return entries.sort((a, b) => a.name.localeCompare(b.name));
  });
}
