import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../src/client';
import { emptyDatabase } from './helpers';

async function outcome(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, ms: performance.now() - started };
}

describe('createDb timeouts', () => {
  it('has the server cancel a statement that runs past statementTimeoutMillis (57014)', async () => {
    const handle = createDb({
      connectionString: await emptyDatabase(),
      statementTimeoutMillis: 300,
    });
    afterAll(() => handle.close());

    const { error, ms } = await outcome(handle.pool.query('select pg_sleep(5)'));

    expect(error).toMatchObject({ code: '57014' });
    expect(ms).toBeLessThan(3_000);
    // The connection survives its cancelled statement.
    expect((await handle.pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('fails a query that waits for a connection longer than connectionTimeoutMillis', async () => {
    const handle = createDb({
      connectionString: await emptyDatabase(),
      max: 1,
      connectionTimeoutMillis: 300,
    });
    afterAll(() => handle.close());
    const busy = handle.pool.query('select pg_sleep(2)');

    const { error, ms } = await outcome(handle.pool.query('select 1'));

    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/timeout exceeded when trying to connect/);
    expect(ms).toBeLessThan(1_500);
    await busy;
  });
});
