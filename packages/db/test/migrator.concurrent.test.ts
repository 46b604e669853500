import { describe, expect, it } from 'vitest';
import { migrate } from '../src/migrator';
import { emptyDatabase, migrationsFolder, query } from './helpers';

describe('concurrent migrators', () => {
  it('apply each file exactly once between them', async () => {
    const url = await emptyDatabase();
    // Every application leaves a row; pg_sleep widens the window in which a second migrator
    // without the lock would read stale history and apply the same file again.
    const folder = await migrationsFolder({
      '0001_log.sql':
        "CREATE TABLE IF NOT EXISTS applications (name text); INSERT INTO applications VALUES ('0001'); SELECT pg_sleep(0.2);",
      '0002_more.sql': "INSERT INTO applications VALUES ('0002'); SELECT pg_sleep(0.2);",
      '0003_more.sql': "INSERT INTO applications VALUES ('0003');",
    });

    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        migrate({ connectionString: url, migrationsDir: folder.dir }),
      ),
    );

    const appliedByAll = results.flatMap((result) => result.applied).sort();
    expect(appliedByAll).toEqual(['0001_log.sql', '0002_more.sql', '0003_more.sql']);
    const rows = await query<{ name: string }>(url, 'SELECT name FROM applications ORDER BY name');
    expect(rows.map((row) => row.name)).toEqual(['0001', '0002', '0003']);
  });
});
