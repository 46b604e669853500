/**
 * The database package's setup (one PostgreSQL and one migrated template per run), plus the
 * job queue's schema in the template: every per-file clone then has `graphile_worker` ready,
 * so enqueueing works in every test without installing it per file.
 */
import dbSetup from '@tollbooth/db/vitest-global-setup';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { installJobQueue } from '../src/jobs/worker';
import { createLogger } from '../src/lib/logger';

export default async function setup(project: TestProject) {
  const teardown = await dbSetup(project);
  const { pgAdminUrl, pgTemplate } = project.getProvidedContext();
  const url = new URL(pgAdminUrl);
  url.pathname = `/${pgTemplate}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await installJobQueue(pool, createLogger({ level: 'warn' }));
  } finally {
    await pool.end();
  }
  return teardown;
}
