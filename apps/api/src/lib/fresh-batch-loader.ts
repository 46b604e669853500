/**
 * Reads by key that share round trips without serving anything stale: while one query is in
 * flight, the keys asked for meanwhile wait, and the next query fetches them all at once. Each
 * caller's answer comes from a query that started after it asked, so it sees every write
 * committed before it asked — as if it had run its own query (a revoked API key is refused
 * from the moment the revocation commits). Not a cache: nothing is kept after it is answered.
 *
 * A lone caller never waits for a timer: its query starts at once. Under load the batch grows
 * with the number of callers arriving during one query, so N concurrent reads cost about one
 * round trip each time, not N.
 */

/** Fetches the rows of `keys` (distinct); a key without a row is simply missing. */
export type LoadMany<K, V> = (keys: K[]) => Promise<Map<K, V>>;

interface Pending<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

export class FreshBatchLoader<K, V> {
  private waiting = new Map<K, Pending<V>[]>();
  private inFlight = false;

  constructor(
    private readonly loadMany: LoadMany<K, V>,
    /** Bounds one query's parameter list. */
    private readonly maxBatch = 500,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const same = this.waiting.get(key);
      if (same) same.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.inFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.waiting.size > 0) {
        const batch = new Map<K, Pending<V>[]>();
        for (const [key, callers] of this.waiting) {
          if (batch.size >= this.maxBatch) break;
          batch.set(key, callers);
        }
        for (const key of batch.keys()) this.waiting.delete(key);
        try {
          const rows = await this.loadMany([...batch.keys()]);
          for (const [key, callers] of batch) {
            for (const caller of callers) caller.resolve(rows.get(key));
          }
        } catch (error) {
          for (const callers of batch.values()) for (const caller of callers) caller.reject(error);
        }
      }
    } finally {
      this.inFlight = false;
    }
  }
}

/**
 * One loader per owner (a database handle: a test process runs several apps, each with its
 * own pool), made on first use.
 */
export function loaderPerOwner<O extends object, K, V>(
  make: (owner: O) => FreshBatchLoader<K, V>,
): (owner: O) => FreshBatchLoader<K, V> {
  const loaders = new WeakMap<O, FreshBatchLoader<K, V>>();
  return (owner) => {
    let loader = loaders.get(owner);
    if (!loader) {
      loader = make(owner);
      loaders.set(owner, loader);
    }
    return loader;
  };
}
