import { describe, expect, it } from 'vitest';
import { migrate, migrationStatus } from '../src/migrator';
import { emptyDatabase, migrationsFolder, query } from './helpers';

describe('migrate', () => {
  it('applies pending files in name order and records each with its checksum', async () => {
    const url = await emptyDatabase();
    // 0002 depends on 0001 and 0010 on both: any other order fails.
    const folder = await migrationsFolder({
      '0010_c.sql': 'ALTER TABLE b ADD COLUMN c int;',
      '0001_a.sql': 'CREATE TABLE a (id int PRIMARY KEY);',
      '0002_b.sql': 'CREATE TABLE b (id int REFERENCES a (id));',
      'README.md': 'not a migration',
    });

    const result = await migrate({ connectionString: url, migrationsDir: folder.dir });

    expect(result.applied).toEqual(['0001_a.sql', '0002_b.sql', '0010_c.sql']);
    const rows = await query<{ name: string; checksum: string }>(
      url,
      'SELECT name, checksum FROM schema_migrations ORDER BY applied_at, name',
    );
    expect(rows.map((row) => row.name)).toEqual(['0001_a.sql', '0002_b.sql', '0010_c.sql']);
    for (const row of rows) expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('applies nothing on a second run', async () => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({ '0001_a.sql': 'CREATE TABLE a (id int);' });
    await migrate({ connectionString: url, migrationsDir: folder.dir });

    const second = await migrate({ connectionString: url, migrationsDir: folder.dir });

    expect(second).toEqual({ applied: [], alreadyApplied: 1 });
  });

  it('applies only the new file when one is added later', async () => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({ '0001_a.sql': 'CREATE TABLE a (id int);' });
    await migrate({ connectionString: url, migrationsDir: folder.dir });
    await folder.write('0002_b.sql', 'CREATE TABLE b (id int);');

    const result = await migrate({ connectionString: url, migrationsDir: folder.dir });

    expect(result).toEqual({ applied: ['0002_b.sql'], alreadyApplied: 1 });
  });

  it('reports applied and pending files in status', async () => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({ '0001_a.sql': 'CREATE TABLE a (id int);' });
    await migrate({ connectionString: url, migrationsDir: folder.dir });
    await folder.write('0002_b.sql', 'CREATE TABLE b (id int);');

    const status = await migrationStatus({ connectionString: url, migrationsDir: folder.dir });

    expect(status.map(({ name, state }) => ({ name, state }))).toEqual([
      { name: '0001_a.sql', state: 'applied' },
      { name: '0002_b.sql', state: 'pending' },
    ]);
  });

  it.each([
    ['a name without a number', '1_a.sql'],
    ['upper-case letters', '0001_Add.sql'],
  ])('refuses a .sql file with %s', async (_, name) => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({ [name]: 'SELECT 1;' });

    await expect(migrate({ connectionString: url, migrationsDir: folder.dir })).rejects.toThrow(
      name,
    );
  });

  it('refuses two files with the same number', async () => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({ '0001_a.sql': 'SELECT 1;', '0001_b.sql': 'SELECT 1;' });

    await expect(migrate({ connectionString: url, migrationsDir: folder.dir })).rejects.toThrow(
      /0001_a\.sql and 0001_b\.sql share the number 0001/,
    );
  });
});
