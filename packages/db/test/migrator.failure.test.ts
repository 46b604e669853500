import { describe, expect, it } from 'vitest';
import { MigrationError, migrate } from '../src/migrator';
import { emptyDatabase, migrationsFolder, query, tableExists } from './helpers';

describe('a failing migration', () => {
  it('rolls back that whole file, keeps earlier files, and names the file, line and cause', async () => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({
      '0001_ok.sql': 'CREATE TABLE ok (id int);',
      // The first statement succeeds on its own; the file as a whole must not.
      '0002_broken.sql':
        'CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\nSELECT * FROM no_such_table;\n',
      '0003_after.sql': 'CREATE TABLE after_broken (id int);',
    });

    const error = await migrate({ connectionString: url, migrationsDir: folder.dir }).catch(
      (e) => e,
    );

    expect(error).toBeInstanceOf(MigrationError);
    expect(error.file).toBe('0002_broken.sql');
    expect(error.message).toBe(
      'Migration 0002_broken.sql failed (line 3): relation "no_such_table" does not exist',
    );
    expect(await tableExists(url, 'ok')).toBe(true);
    expect(await tableExists(url, 'half')).toBe(false);
    expect(await tableExists(url, 'after_broken')).toBe(false);
    const recorded = await query<{ name: string }>(url, 'SELECT name FROM schema_migrations');
    expect(recorded.map((row) => row.name)).toEqual(['0001_ok.sql']);
  });

  it('applies the file once it is fixed', async () => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({
      '0001_broken.sql': 'CREATE TABLE t (id int REFERENCES nowhere);',
    });
    await expect(migrate({ connectionString: url, migrationsDir: folder.dir })).rejects.toThrow(
      /0001_broken\.sql failed/,
    );
    await folder.write('0001_broken.sql', 'CREATE TABLE t (id int);');

    const result = await migrate({ connectionString: url, migrationsDir: folder.dir });

    expect(result.applied).toEqual(['0001_broken.sql']);
  });
});
