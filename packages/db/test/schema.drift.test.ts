import { describe, expect, it } from 'vitest';
import { runCodegen } from '../src/codegen';
import { migrate } from '../src/migrator';
import { defaultMigrationsDir } from '../src/paths';
import { emptyDatabase, query } from './helpers';

async function migratedDatabase(): Promise<string> {
  const url = await emptyDatabase();
  await migrate({ connectionString: url, migrationsDir: defaultMigrationsDir() });
  return url;
}

describe('the Database interface (src/schema.generated.ts)', () => {
  it('matches the schema the migrations produce', async () => {
    const result = await runCodegen(await migratedDatabase(), 'verify');

    expect(result.ok, result.output).toBe(true);
  });

  it.each([
    ['a column the types lack', 'ALTER TABLE users ADD COLUMN nickname text'],
    ['a column that became nullable', 'ALTER TABLE audit_log ALTER COLUMN source DROP NOT NULL'],
    ['an enum value the types lack', "ALTER TYPE user_role ADD VALUE 'owner'"],
  ])('is reported as drifted when the database has %s', async (_, change) => {
    const url = await migratedDatabase();
    await query(url, change);

    const result = await runCodegen(url, 'verify');

    expect(result.ok).toBe(false);
  });
});
