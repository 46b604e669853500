/**
 * One checksum per table of the app's state, to prove a refused call changed nothing. The
 * tables are read from the database itself, so a table a new migration adds is covered
 * without an edit here.
 *
 * Left out on purpose, because a refusal is meant to write them:
 * - `audit_log`: failed sign-ins and refused key uses are audited;
 * - `rate_limits`: counting refused attempts is what a limit is;
 * - columns that record use, not state (`last_used_at`, `first_used_at` of keys and sessions
 *   are touched by authenticating, before a later check refuses the call) and the attempt
 *   counter of one-time secrets (a wrong code counts against its secret by design).
 */
import { sql } from 'kysely';
import type { TestApp } from '../harness';

const UNCHECKED_TABLES = ['audit_log', 'rate_limits'];
const UNCHECKED_COLUMNS = ['last_used_at', 'first_used_at', 'attempts'];

export type StateChecksum = Record<string, string>;

export async function listStateTables(t: TestApp): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
     where table_schema = 'public' and table_type = 'BASE TABLE'
       and table_name not like 'kysely_%' and table_name not like '%migration%'
     order by table_name`.execute(t.deps.db);
  return rows.map((row) => row.name).filter((name) => !UNCHECKED_TABLES.includes(name));
}

/** A checksum of every listed table plus the job queue (a refusal must enqueue nothing). */
export async function stateChecksum(t: TestApp, tables: readonly string[]): Promise<StateChecksum> {
  const dropped = sql.join(
    UNCHECKED_COLUMNS.map((column) => sql`- ${column}::text`),
    sql` `,
  );
  const perTable = tables.map(
    (table) => sql`select ${table}::text as name,
      md5(coalesce(string_agg(row_text, ',' order by row_text), '')) as checksum
      from (select (to_jsonb(x) ${dropped})::text as row_text from ${sql.table(table)} x) rows`,
  );
  const jobs = sql`select 'graphile_worker jobs' as name, md5(coalesce(string_agg(
      tasks.identifier || ':' || coalesce(jobs.key, '') || ':' || jobs.payload::text, ','
      order by jobs.id), '')) as checksum
      from graphile_worker._private_jobs jobs
      join graphile_worker._private_tasks tasks on tasks.id = jobs.task_id`;
  const { rows } = await sql<{ name: string; checksum: string }>`${sql.join(
    [...perTable, jobs],
    sql` union all `,
  )}`.execute(t.deps.db);
  return Object.fromEntries(rows.map((row) => [row.name, row.checksum]));
}

/** The tables whose checksum differs between two snapshots. */
export function changedTables(before: StateChecksum, after: StateChecksum): string[] {
  return Object.keys({ ...before, ...after }).filter((name) => before[name] !== after[name]);
}
