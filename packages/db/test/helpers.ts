import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { createEmptyTestDatabase } from '../src/vitest';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

export const emptyDatabase = createEmptyTestDatabase;

/** A migrations folder holding exactly `files`; edit it further through the returned writer. */
export async function migrationsFolder(files: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tollbooth-migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const write = async (name: string, sql: string) => writeFile(path.join(dir, name), sql);
  for (const [name, sql] of Object.entries(files)) await write(name, sql);
  return { dir, write, remove: (name: string) => rm(path.join(dir, name)) };
}

export async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

export async function tableExists(url: string, table: string): Promise<boolean> {
  const rows = await query<{ exists: boolean }>(
    url,
    `SELECT to_regclass('public.${table}') IS NOT NULL AS exists`,
  );
  return rows[0]?.exists === true;
}
