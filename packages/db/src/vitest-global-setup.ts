/**
 * Vitest global setup shared by every package with database tests: one PostgreSQL for the
 * run (throwaway embedded, or the server in DATABASE_URL) and one migrated template. Test
 * files get their own clone through `createTestDatabase()` from `@tollbooth/db/vitest`.
 */
import type { TestProject } from 'vitest/node';
import { createTemplateDatabase, startTestServer } from './testing';

import type {} from './vitest';

export default async function setup(project: TestProject) {
  const server = await startTestServer(process.env.DATABASE_URL);
  try {
    project.provide('pgTemplate', await createTemplateDatabase(server));
  } catch (error) {
    await server.stop();
    throw error;
  }
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgPrefix', server.prefix);
  return () => server.stop();
}
