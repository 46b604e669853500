import type { TestProject } from 'vitest/node';
import { startTestServer } from '../src/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgPrefix: string;
  }
}

/** One PostgreSQL for the whole run: throwaway embedded, or the server in DATABASE_URL. */
export default async function setup(project: TestProject) {
  const server = await startTestServer(process.env.DATABASE_URL);
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgPrefix', server.prefix);
  return () => server.stop();
}
