// `expand[]`: replace an id with the object it names, along dotted paths
// (`latest_invoice`, `items.data.price.product`, `data.customer` on lists). Works on the JSON
// response, after the handler: any field holding an id we store can be expanded, and a path
// whose value is not an id fails with Stripe's "This property cannot be expanded" error.
// Some fields exist only when expanded (checkout `line_items`); `virtual` supplies them.
import { invalidRequest } from '../errors.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.ts';

/** Stripe refuses expansions deeper than four levels. */
const MAX_DEPTH = 4;

export interface ExpandSources {
  /** The JSON of the stored object with this id, if any. */
  byId(id: string): JsonObject | undefined;
  /** A field that only exists when expanded (e.g. a checkout session's `line_items`). */
  virtual(owner: JsonObject, field: string): JsonValue | undefined;
}

export function expand(
  body: JsonObject,
  paths: readonly string[],
  sources: ExpandSources,
): JsonObject {
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > MAX_DEPTH) {
      throw invalidRequest(
        `You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`,
        { param: 'expand' },
      );
    }
    expandInto(body, segments, path, sources);
  }
  return body;
}

function expandInto(node: JsonObject, segments: string[], path: string, sources: ExpandSources) {
  const [field, ...rest] = segments;
  if (field === undefined) return;
  if (field === 'id' || field === 'object') throw notExpandable(path);
  let value = node[field];
  if (value === undefined) {
    value = sources.virtual(node, field);
    if (value === undefined) throw notExpandable(path);
    node[field] = value;
  }
  if (typeof value === 'string') {
    const target = sources.byId(value);
    if (!target) throw notExpandable(path);
    node[field] = target;
    value = target;
  }
  if (rest.length === 0) {
    // Already an object (expanded by an earlier path, or inline by nature) or null: fine.
    if (value === null || isJsonObject(value)) return;
    if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item !== 'string') continue;
        if (!sources.byId(item)) throw notExpandable(path);
      }
      node[field] = value.map((item) =>
        typeof item === 'string' ? (sources.byId(item) ?? item) : item,
      );
      return;
    }
    throw notExpandable(path);
  }
  if (value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) if (isJsonObject(item)) expandInto(item, rest, path, sources);
    return;
  }
  if (isJsonObject(value)) {
    expandInto(value, rest, path, sources);
    return;
  }
  throw notExpandable(path);
}

function notExpandable(path: string) {
  return invalidRequest(`This property cannot be expanded (${path}).`, { param: 'expand' });
}
