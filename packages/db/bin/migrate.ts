/**
 * `pnpm db:migrate` applies pending migrations; `pnpm db:status` lists them. Both use
 * DATABASE_URL, or the dev cluster under .data/postgres when it is unset.
 */
import { defaultMigrationsDir, MigrationError, migrate, migrationStatus } from '../src/index';

const command = process.argv[2] ?? 'up';
if (command !== 'up' && command !== 'status') {
  console.error(`Unknown command "${command}": use "up" or "status".`);
  process.exit(2);
}

async function withDatabaseUrl(work: (url: string) => Promise<void>): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) return work(url);
  const { startDevPostgres } = await import('../src/embedded');
  const dev = await startDevPostgres();
  try {
    await work(dev.databaseUrl);
  } finally {
    await dev.stop();
  }
}

const migrationsDir = defaultMigrationsDir();
try {
  await withDatabaseUrl(async (connectionString) => {
    if (command === 'up') {
      const result = await migrate({
        connectionString,
        migrationsDir,
        onApplied: (name) => console.log(`applied ${name}`),
      });
      console.log(
        result.applied.length === 0
          ? `Database is up to date (${result.alreadyApplied} migrations applied).`
          : `Applied ${result.applied.length} migration(s).`,
      );
      return;
    }
    for (const entry of await migrationStatus({ connectionString, migrationsDir })) {
      const when = entry.appliedAt ? entry.appliedAt.toISOString() : '';
      console.log(`${entry.state.padEnd(8)} ${entry.name} ${when}`.trimEnd());
    }
  });
} catch (error) {
  console.error(error instanceof MigrationError ? error.message : error);
  process.exitCode = 1;
}
