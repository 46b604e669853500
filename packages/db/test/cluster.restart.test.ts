import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../src/client';
import { startRestartableCluster } from '../src/testing';

describe('a restartable throwaway cluster', () => {
  const started = startRestartableCluster();
  afterAll(async () => (await started).stop());

  it('comes back on the same port with its data, and one pool serves across the restart', async () => {
    const cluster = await started;
    const handle = createDb({ connectionString: cluster.url(), max: 2 });
    afterAll(() => handle.close());
    handle.pool.on('error', () => {});
    await handle.pool.query('create table survivors (name text)');
    await handle.pool.query("insert into survivors values ('before the restart')");

    await cluster.shutDown();

    expect(cluster.running).toBe(false);
    const whileDown = await handle.pool.query('select 1').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(whileDown).toBeInstanceOf(Error);
    expect(whileDown).toMatchObject({ code: expect.stringMatching(/^(ECONNREFUSED|57P01)$/) });

    await cluster.startUp();

    expect(cluster.running).toBe(true);
    const { rows } = await handle.pool.query<{ name: string }>('select name from survivors');
    expect(rows).toEqual([{ name: 'before the restart' }]);
  });

  it('ends open sessions with admin_shutdown (57P01) when it shuts down', async () => {
    const cluster = await started;
    const client = new pg.Client({ connectionString: cluster.url() });
    client.on('error', () => {});
    await client.connect();
    const running = client.query('select pg_sleep(30)').then(
      () => undefined,
      (error: unknown) => error,
    );
    // The sleep is on the server before the shutdown starts.
    await new Promise((resolve) => setTimeout(resolve, 200));

    await cluster.shutDown();

    expect(await running).toMatchObject({ code: '57P01' });
    await cluster.startUp();
  });
});
