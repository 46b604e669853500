// Idempotency-Key semantics for POST, as Stripe documents them: the first response for a key is
// saved and replayed verbatim (with `Idempotent-Replayed: true`) for a retry with the same
// parameters; reusing the key with different parameters or another endpoint is an
// `idempotency_error`. Like Stripe, a request rejected before it started executing (bad
// parameters, unknown ids → 400/404) saves nothing, so the caller can fix it and retry with the
// same key; everything else (successes, card declines) is saved. Keys are forgotten after 24
// hours of emulated time.
import { SECONDS_PER_DAY } from '../clock.ts';
import { idempotencyMismatch } from '../errors.ts';

const KEY_LIFETIME_SECONDS = SECONDS_PER_DAY;

export interface SavedResponse {
  status: number;
  body: string;
}

interface Entry extends SavedResponse {
  fingerprint: string;
  savedAt: number;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  /** The saved response to replay, undefined for a fresh key; throws on a conflicting reuse. */
  lookup(key: string, fingerprint: string, now: number): SavedResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.savedAt > KEY_LIFETIME_SECONDS) {
      this.entries.delete(key);
      return undefined;
    }
    if (entry.fingerprint !== fingerprint) throw idempotencyMismatch(key);
    return { status: entry.status, body: entry.body };
  }

  save(key: string, fingerprint: string, response: SavedResponse, now: number): void {
    this.entries.set(key, { ...response, fingerprint, savedAt: now });
  }
}

/** Stripe compares the endpoint and the decoded parameters, not the raw bytes. */
export function fingerprintOf(method: string, path: string, params: unknown): string {
  return `${method} ${path} ${canonicalJson(params)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
