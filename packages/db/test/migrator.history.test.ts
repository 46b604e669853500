import { describe, expect, it } from 'vitest';
import { MigrationError, migrate } from '../src/migrator';
import { emptyDatabase, migrationsFolder, tableExists } from './helpers';

/** Applied history is immutable: any drift stops the run before anything is applied. */
describe('migrate with changed history', () => {
  it('stops with an error naming an applied file whose content changed', async () => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({ '0001_a.sql': 'CREATE TABLE a (id int);' });
    await migrate({ connectionString: url, migrationsDir: folder.dir });
    await folder.write('0001_a.sql', 'CREATE TABLE a (id bigint);');
    await folder.write('0002_b.sql', 'CREATE TABLE b (id int);');

    const error = await migrate({ connectionString: url, migrationsDir: folder.dir }).catch(
      (e) => e,
    );

    expect(error).toBeInstanceOf(MigrationError);
    expect(error.file).toBe('0001_a.sql');
    expect(error.message).toMatch(/0001_a\.sql was edited after it was applied/);
    expect(await tableExists(url, 'b')).toBe(false);
  });

  it('stops with an error naming an applied file that is gone', async () => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({
      '0001_a.sql': 'CREATE TABLE a (id int);',
      '0002_b.sql': 'CREATE TABLE b (id int);',
    });
    await migrate({ connectionString: url, migrationsDir: folder.dir });
    await folder.remove('0001_a.sql');

    await expect(migrate({ connectionString: url, migrationsDir: folder.dir })).rejects.toThrow(
      /Applied migration 0001_a\.sql is missing/,
    );
  });

  it('stops when a new file sorts before one already applied', async () => {
    const url = await emptyDatabase();
    const folder = await migrationsFolder({ '0002_b.sql': 'CREATE TABLE b (id int);' });
    await migrate({ connectionString: url, migrationsDir: folder.dir });
    await folder.write('0001_a.sql', 'CREATE TABLE a (id int);');

    await expect(migrate({ connectionString: url, migrationsDir: folder.dir })).rejects.toThrow(
      /0001_a\.sql is pending but sorts before the applied 0002_b\.sql/,
    );
    expect(await tableExists(url, 'a')).toBe(false);
  });
});
