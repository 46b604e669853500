// Stripe's request encoding: application/x-www-form-urlencoded with bracket notation, in POST
// bodies and GET query strings alike. `line_items[0][price]=p&metadata[user]=u&expand[]=x`
// becomes `{ line_items: [{ price: 'p' }], metadata: { user: 'u' }, expand: ['x'] }`. An empty
// value is kept as '' because Stripe reads it as "unset this field".
import { invalidRequest } from '../errors.ts';

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Intermediate tree: every container is an object until we know its keys are indices. */
interface Node {
  [key: string]: string | Node;
}

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  const pattern = /\[([^\]]*)\]/g;
  for (const match of key.slice(open).matchAll(pattern)) segments.push(match[1] ?? '');
  return segments;
}

function insert(root: Node, segments: string[], value: string, fullKey: string): void {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    let segment = segments[i] ?? '';
    // `expand[]=a&expand[]=b` appends, as in PHP/Rails-style encoders.
    if (segment === '') segment = String(Object.keys(node).length);
    if (i === segments.length - 1) {
      if (typeof node[segment] === 'object') throw invalidRequest(`Invalid hash: ${fullKey}`);
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (typeof next === 'string') throw invalidRequest(`Invalid hash: ${fullKey}`);
    if (next === undefined) {
      const child: Node = {};
      node[segment] = child;
      node = child;
    } else {
      node = next;
    }
  }
}

const INDEX = /^(0|[1-9]\d*)$/;

function finish(node: Node): FormObject | FormValue[] {
  const keys = Object.keys(node);
  const finished: FormObject = {};
  for (const key of keys) {
    const value = node[key];
    if (value !== undefined) finished[key] = typeof value === 'string' ? value : finish(value);
  }
  const isArray =
    keys.length > 0 && keys.every((key) => INDEX.test(key)) && keys.every((_, i) => i in finished);
  if (!isArray) return finished;
  return keys.map((_, i) => finished[String(i)] ?? '');
}

export function parseForm(encoded: string): FormObject {
  const root: Node = {};
  for (const [key, value] of new URLSearchParams(encoded)) {
    insert(root, splitKey(key), value, key);
  }
  const result = finish(root);
  return Array.isArray(result) ? {} : result;
}
