/** Per-file test databases, inside a run prepared by `@tollbooth/db/vitest-global-setup`. */
import { inject } from 'vitest';
import { cloneTemplateDatabase, createEmptyDatabase } from './testing';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgPrefix: string;
    pgTemplate: string;
  }
}

function server() {
  return { adminUrl: inject('pgAdminUrl'), prefix: inject('pgPrefix') };
}

/** A fresh database with every migration applied, private to the caller. */
export function createTestDatabase(): Promise<string> {
  return cloneTemplateDatabase(server(), inject('pgTemplate'));
}

/** A fresh database with nothing in it, for tests of the migrator. */
export function createEmptyTestDatabase(): Promise<string> {
  return createEmptyDatabase(server());
}
