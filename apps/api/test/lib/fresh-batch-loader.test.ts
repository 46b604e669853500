/**
 * FreshBatchLoader: concurrent reads share queries, yet every answer comes from a query that
 * started after its caller asked (never a row read before a write the caller already saw).
 */
import { describe, expect, it } from 'vitest';
import { FreshBatchLoader } from '../../src/lib/fresh-batch-loader';

/** A loadMany whose queries the test answers one at a time, from a table it can change. */
function controlledSource() {
  const table = new Map<string, number>();
  const queries: { keys: string[]; answer(): void; fail(error: Error): void }[] = [];
  const loader = new FreshBatchLoader<string, number>(
    (keys) =>
      new Promise((resolve, reject) => {
        // What the query sees is fixed when it starts, as a statement's snapshot is; the test
        // only decides when the answer arrives.
        const seen = new Map<string, number>();
        for (const k of keys) {
          const value = table.get(k);
          if (value !== undefined) seen.set(k, value);
        }
        queries.push({ keys, answer: () => resolve(seen), fail: reject });
      }),
    3,
  );
  return { table, queries, loader };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FreshBatchLoader', () => {
  it('queries at once for a lone caller, with just its key', async () => {
    const { table, queries, loader } = controlledSource();
    table.set('a', 1);
    const answer = loader.load('a');
    await tick();
    expect(queries.map((q) => q.keys)).toEqual([['a']]);
    queries[0]?.answer();
    expect(await answer).toBe(1);
  });

  it('gathers the keys asked for while a query is in flight into the next query, each key once', async () => {
    const { table, queries, loader } = controlledSource();
    for (const [k, v] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      table.set(k, v);
    const first = loader.load('a');
    await tick();
    const later = [loader.load('b'), loader.load('c'), loader.load('b'), loader.load('missing')];
    await tick();
    expect(queries).toHaveLength(1);
    queries[0]?.answer();
    await first;
    await tick();
    expect(queries[1]?.keys).toEqual(['b', 'c', 'missing']);
    queries[1]?.answer();
    expect(await Promise.all(later)).toEqual([2, 3, 2, undefined]);
  });

  it('never answers a caller from a query that started before it asked', async () => {
    const { table, queries, loader } = controlledSource();
    table.set('key', 1);
    const before = loader.load('key');
    await tick();
    // The row changes (a revocation commits), then a second caller asks: the query in flight
    // began before it, so it must not be the second caller's answer.
    table.set('key', 2);
    const after = loader.load('key');
    await tick();
    queries[0]?.answer();
    await tick();
    expect(queries).toHaveLength(2);
    queries[1]?.answer();
    expect(await before).toBe(1);
    expect(await after).toBe(2);
    expect(queries.map((q) => q.keys)).toEqual([['key'], ['key']]);
  });

  it('bounds a query to maxBatch keys and takes the rest in the next', async () => {
    const { queries, loader } = controlledSource();
    const first = loader.load('k0');
    await tick();
    const rest = ['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => loader.load(k));
    queries[0]?.answer();
    await first;
    await tick();
    expect(queries[1]?.keys).toEqual(['k1', 'k2', 'k3']);
    queries[1]?.answer();
    await tick();
    await tick();
    expect(queries[2]?.keys).toEqual(['k4', 'k5']);
    queries[2]?.answer();
    expect(await Promise.all(rest)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('rejects only the callers of the query that failed, and serves the next ones', async () => {
    const { table, queries, loader } = controlledSource();
    table.set('a', 1);
    const failing = loader.load('a');
    await tick();
    const next = loader.load('a');
    queries[0]?.fail(new Error('connection lost'));
    await expect(failing).rejects.toThrow('connection lost');
    await tick();
    queries[1]?.answer();
    expect(await next).toBe(1);
  });
});
