/**
 * Where the SDK keeps the caller's tokens. Pluggable: memory (the default; gone on reload),
 * the browser's localStorage (survives reloads; readable by any script on the page, so only
 * for apps that accept that), and cookie mode (the refresh token lives in an HttpOnly cookie
 * the server sets, out of JavaScript's reach; only the short-lived access token is kept, in
 * memory).
 */

export interface StoredTokens {
  accessToken: string;
  /** Null in cookie mode: the browser holds it in an HttpOnly cookie. */
  refreshToken: string | null;
}

export interface TokenStore {
  /** `cookie` makes the SDK ask for and refresh through the HttpOnly refresh cookie. */
  readonly mode?: 'body' | 'cookie';
  get(): StoredTokens | null | Promise<StoredTokens | null>;
  set(tokens: StoredTokens | null): void | Promise<void>;
}

export function memoryTokenStore(initial: StoredTokens | null = null): TokenStore {
  let tokens = initial;
  return {
    mode: 'body',
    get: () => tokens,
    set(next) {
      tokens = next;
    },
  };
}

/** The subset of the Web Storage API the store uses (window.localStorage satisfies it). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface LocalStorageTokenStoreOptions {
  key?: string;
  /** Defaults to `globalThis.localStorage`. */
  storage?: StorageLike;
}

function isStoredTokens(value: unknown): value is StoredTokens {
  return (
    typeof value === 'object' &&
    value !== null &&
    'accessToken' in value &&
    typeof value.accessToken === 'string' &&
    'refreshToken' in value &&
    (typeof value.refreshToken === 'string' || value.refreshToken === null)
  );
}

export function localStorageTokenStore(options: LocalStorageTokenStoreOptions = {}): TokenStore {
  const key = options.key ?? 'tollbooth.tokens';
  const storage = () => {
    const found = options.storage ?? globalThis.localStorage;
    if (!found) throw new Error('localStorageTokenStore needs window.localStorage or a storage');
    return found;
  };
  return {
    mode: 'body',
    get() {
      const raw = storage().getItem(key);
      if (!raw) return null;
      try {
        const parsed: unknown = JSON.parse(raw);
        return isStoredTokens(parsed) ? parsed : null;
      } catch {
        return null;
      }
    },
    set(tokens) {
      if (tokens) storage().setItem(key, JSON.stringify(tokens));
      else storage().removeItem(key);
    },
  };
}

/**
 * Cookie mode: sign-in calls ask the server to set the refresh token as an HttpOnly cookie,
 * requests go with `credentials: 'include'`, and refreshes rely on that cookie. The API's
 * ALLOWED_ORIGINS must list the page's origin.
 */
export function cookieTokenStore(): TokenStore {
  let accessToken: string | null = null;
  return {
    mode: 'cookie',
    get: () => (accessToken ? { accessToken, refreshToken: null } : null),
    set(tokens) {
      accessToken = tokens?.accessToken ?? null;
    },
  };
}
