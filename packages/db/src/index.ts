export { type CreateDbOptions, createDb, createPool, type DbHandle } from './client';
export {
  type MigrateOptions,
  type MigrateResult,
  MigrationError,
  type MigrationStatusEntry,
  migrate,
  migrationStatus,
  readMigrationFiles,
} from './migrator';
export { defaultMigrationsDir } from './paths';
export type * from './schema';
