/**
 * A size-bounded cache of values that expire: the verified-token caches (our access tokens,
 * NextAuth session tokens) keep a value until its own expiry. When full, the entry inserted
 * first is dropped (FIFO, not LRU: a hit does not refresh an entry's place). For tokens that
 * live at most minutes that is enough, and a hit stays a single Map lookup.
 */
export interface BoundedCache<Value> {
  /** The value while `isFresh(value)` holds; an entry that is no longer fresh is dropped. */
  get(key: string, isFresh: (value: Value) => boolean): Value | undefined;
  set(key: string, value: Value): void;
  readonly size: number;
}

export function createBoundedCache<Value>(maxEntries: number): BoundedCache<Value> {
  const entries = new Map<string, Value>();
  return {
    get(key, isFresh) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      if (isFresh(value)) return value;
      entries.delete(key);
      return undefined;
    },
    set(key, value) {
      if (!entries.has(key) && entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, value);
    },
    get size() {
      return entries.size;
    },
  };
}
