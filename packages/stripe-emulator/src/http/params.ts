// Typed, validating access to a request's parameters. Every read marks the key as used and
// `assertConsumed()` rejects anything left over with Stripe's `parameter_unknown` — so a typo in
// an integration (`line_item` for `line_items`) fails here exactly as it would against Stripe,
// instead of being silently ignored. Error `param`s use Stripe's bracket names
// (`line_items[0][price]`).
import {
  invalidEnum,
  invalidInteger,
  invalidRequest,
  parameterMissing,
  parameterUnknown,
} from '../errors.ts';
import type { FormObject, FormValue } from './form.ts';

const METADATA_MAX_KEYS = 50;
const METADATA_KEY_MAX_LENGTH = 40;
const METADATA_VALUE_MAX_LENGTH = 500;

export type RangeFilter = { gt?: number; gte?: number; lt?: number; lte?: number };

export class Params {
  private readonly used = new Set<string>();
  private readonly children: Params[] = [];

  constructor(
    private readonly values: FormObject,
    private readonly prefix = '',
  ) {}

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.values[key] !== undefined;
  }

  keys(): string[] {
    return Object.keys(this.values);
  }

  /** Marks a subtree as accepted without validating it (fields we take but do not model). */
  raw(key: string): FormValue | undefined {
    this.used.add(key);
    return this.values[key];
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      throw invalidRequest(`Invalid string: ${key}`, { param: this.name(key) });
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === '') throw parameterMissing(this.name(key));
    return value;
  }

  /** '' means "unset" in Stripe's encoding, so it reads as null; absence reads as undefined. */
  nullableString(key: string): string | null | undefined {
    const value = this.string(key);
    return value === '' ? null : value;
  }

  integer(key: string): number | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return undefined;
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw invalidInteger(this.name(key), value);
    }
    return Number(value);
  }

  requiredInteger(key: string): number {
    const value = this.integer(key);
    if (value === undefined) throw parameterMissing(this.name(key));
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return undefined;
    if (value !== 'true' && value !== 'false') {
      throw invalidRequest(`Invalid boolean: ${value}`, { param: this.name(key) });
    }
    return value === 'true';
  }

  enum<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return undefined;
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw invalidEnum(this.name(key), allowed);
    return match;
  }

  object(key: string): Params | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' || Array.isArray(value)) {
      throw invalidRequest(`Invalid object`, { param: this.name(key) });
    }
    return this.child(value, this.name(key));
  }

  array(key: string): Params[] | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    if (!Array.isArray(value)) throw invalidRequest(`Invalid array`, { param: this.name(key) });
    return value.map((item, index) => {
      if (typeof item === 'string' || Array.isArray(item)) {
        throw invalidRequest(`Invalid object`, { param: `${this.name(key)}[${index}]` });
      }
      return this.child(item, `${this.name(key)}[${index}]`);
    });
  }

  stringArray(key: string): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    const items = Array.isArray(value) ? value : [value];
    return items.map((item, index) => {
      if (typeof item !== 'string') {
        throw invalidRequest(`Invalid array`, { param: `${this.name(key)}[${index}]` });
      }
      return item;
    });
  }

  /** `created=123` or `created[gte]=123&created[lt]=456`. */
  range(key: string): RangeFilter | undefined {
    if (!this.has(key)) return undefined;
    const value = this.values[key];
    if (typeof value === 'string') {
      const exact = this.integer(key);
      return exact === undefined ? undefined : { gte: exact, lte: exact };
    }
    const nested = this.object(key);
    if (!nested) return undefined;
    const filter: RangeFilter = {};
    for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
      const n = nested.integer(bound);
      if (n !== undefined) filter[bound] = n;
    }
    return filter;
  }

  /**
   * Metadata as a patch: a value of null removes the key, and `metadata=''` clears everything
   * (`clear: true`). Applied with `applyMetadata`.
   */
  metadata(key = 'metadata'): MetadataPatch | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (value === '') return { clear: true, set: {} };
    if (typeof value === 'string') throw invalidRequest('Invalid hash', { param: this.name(key) });
    const entries: [string, FormValue][] = Array.isArray(value)
      ? value.map((v, i) => [String(i), v])
      : Object.entries(value);
    if (entries.length > METADATA_MAX_KEYS) {
      throw invalidRequest(`You can specify up to ${METADATA_MAX_KEYS} keys in metadata.`, {
        param: this.name(key),
      });
    }
    const set: Record<string, string | null> = {};
    for (const [k, v] of entries) {
      const param = `${this.name(key)}[${k}]`;
      if (typeof v !== 'string') throw invalidRequest('Invalid string', { param });
      if (k.length > METADATA_KEY_MAX_LENGTH) {
        throw invalidRequest(
          `Metadata keys can have up to ${METADATA_KEY_MAX_LENGTH} characters.`,
          { param },
        );
      }
      if (v.length > METADATA_VALUE_MAX_LENGTH) {
        throw invalidRequest(
          `Metadata values can have up to ${METADATA_VALUE_MAX_LENGTH} characters.`,
          { param },
        );
      }
      set[k] = v === '' ? null : v;
    }
    return { clear: false, set };
  }

  assertConsumed(): void {
    for (const key of Object.keys(this.values)) {
      if (!this.used.has(key)) throw parameterUnknown(this.name(key));
    }
    for (const child of this.children) child.assertConsumed();
  }

  private child(values: FormObject, prefix: string): Params {
    const child = new Params(values, prefix);
    this.children.push(child);
    return child;
  }
}

export interface MetadataPatch {
  clear: boolean;
  set: Record<string, string | null>;
}

export function applyMetadata(
  current: Record<string, string>,
  patch: MetadataPatch | undefined,
): Record<string, string> {
  if (!patch) return current;
  const next = patch.clear ? {} : { ...current };
  for (const [key, value] of Object.entries(patch.set)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}
