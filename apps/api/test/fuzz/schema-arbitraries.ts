/**
 * fast-check arbitraries from a procedure's zod input schema: valid inputs, inputs on the
 * edges (exact minimum and maximum lengths and values) and near misses (one past an edge, a
 * wrong type, a missing field). The schema is read through zod's own JSON Schema output (its
 * input side, before transforms), a public and stable shape, rather than zod's internals.
 *
 * Why not a library: zod-fast-check supports zod 3 only (peer `zod@^3`, `fast-check@<4`),
 * and we are on zod 4 and fast-check 4. Refinements that JSON Schema cannot say (an email
 * check, an allowed-origin URL) are out of reach here; the caller's `known` strings (codes and
 * URLs that exist) and fast-check's email addresses get such fields past them often enough.
 */
import fc from 'fast-check';
import { z } from 'zod';

const ZLiteral = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export interface JsonSchema {
  type?: string | undefined;
  properties?: Record<string, JsonSchema> | undefined;
  required?: string[] | undefined;
  additionalProperties?: JsonSchema | boolean | undefined;
  propertyNames?: JsonSchema | undefined;
  items?: JsonSchema | undefined;
  anyOf?: JsonSchema[] | undefined;
  oneOf?: JsonSchema[] | undefined;
  enum?: z.infer<typeof ZLiteral>[] | undefined;
  const?: z.infer<typeof ZLiteral> | undefined;
  minLength?: number | undefined;
  maxLength?: number | undefined;
  pattern?: string | undefined;
  format?: string | undefined;
  minimum?: number | undefined;
  maximum?: number | undefined;
  minItems?: number | undefined;
  maxItems?: number | undefined;
}

const ZJsonSchema: z.ZodType<JsonSchema> = z.lazy(() =>
  z.looseObject({
    type: z.string().optional(),
    properties: z.record(z.string(), ZJsonSchema).optional(),
    required: z.array(z.string()).optional(),
    additionalProperties: z.union([ZJsonSchema, z.boolean()]).optional(),
    propertyNames: ZJsonSchema.optional(),
    items: ZJsonSchema.optional(),
    anyOf: z.array(ZJsonSchema).optional(),
    oneOf: z.array(ZJsonSchema).optional(),
    enum: z.array(ZLiteral).optional(),
    const: ZLiteral.optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    pattern: z.string().optional(),
    format: z.string().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minItems: z.number().optional(),
    maxItems: z.number().optional(),
  }),
);

/** The input side of a zod schema as JSON Schema (what a client must send). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return ZJsonSchema.parse(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
}

export interface Hints {
  /** Strings that exist on the server (plan codes, URLs on the allowed origin, …). */
  strings: readonly string[];
  /** Ids that exist (users), for uuid fields. */
  uuids: readonly string[];
}

/** Long free text is generated up to this length; the exact maximum comes from the edges. */
const TYPICAL_LENGTH = 40;

function fitsString(schema: JsonSchema, value: string): boolean {
  if (schema.minLength !== undefined && value.length < schema.minLength) return false;
  if (schema.maxLength !== undefined && value.length > schema.maxLength) return false;
  return schema.pattern === undefined || new RegExp(schema.pattern).test(value);
}

function stringArbitrary(schema: JsonSchema, hints: Hints): fc.Arbitrary<string> {
  const known = hints.strings.filter((value) => fitsString(schema, value));
  const choices: fc.Arbitrary<string>[] = [];
  if (schema.format === 'uuid') {
    choices.push(fc.uuid({ version: 4 }));
    if (hints.uuids.length > 0) choices.push(fc.constantFrom(...hints.uuids));
  } else if (schema.format === 'date-time') {
    const range = { min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true };
    choices.push(fc.date(range).map((date) => date.toISOString()));
  } else if (schema.format === 'uri' || schema.format === 'url') {
    choices.push(fc.webUrl());
  } else if (schema.pattern !== undefined) {
    choices.push(fc.stringMatching(new RegExp(schema.pattern)));
  } else {
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.max(
      minLength,
      Math.min(schema.maxLength ?? TYPICAL_LENGTH, TYPICAL_LENGTH),
    );
    choices.push(fc.string({ minLength, maxLength }), fc.emailAddress());
    if (schema.maxLength !== undefined) {
      const edge = schema.maxLength;
      choices.push(fc.string({ minLength: edge, maxLength: edge, unit: 'binary' }));
    }
    if (minLength > 0) choices.push(fc.string({ minLength, maxLength: minLength }));
  }
  if (known.length > 0) choices.push(fc.constantFrom(...known));
  return fc.oneof(...choices).filter((value) => fitsString(schema, value));
}

function numberArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const min = schema.minimum ?? Number.MIN_SAFE_INTEGER;
  const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
  const edges = fc.constantFrom(min, max);
  if (schema.type === 'integer') {
    return fc.oneof({ arbitrary: fc.integer({ min, max }), weight: 3 }, edges);
  }
  return fc.oneof(fc.double({ min, max, noNaN: true }), edges);
}

/** Values the schema accepts (as far as JSON Schema can say), edges included. */
export function validArbitrary(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map((option) => validArbitrary(option, hints)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema, hints);
    case 'integer':
    case 'number':
      return numberArbitrary(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = schema.items ? validArbitrary(schema.items, hints) : fc.jsonValue();
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 5, 5));
      return fc.array(item, { minLength, maxLength });
    }
    case 'object':
      return objectArbitrary(schema, hints);
    default:
      // `{}`: zod's unknown/any, or what JSON Schema cannot represent.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArbitrary(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const additional = schema.additionalProperties;
  if (properties.length === 0 && typeof additional === 'object') {
    const key = schema.propertyNames
      ? stringArbitrary(schema.propertyNames, hints)
      : fc.string({ minLength: 1, maxLength: 20 });
    return fc.dictionary(key, validArbitrary(additional, hints), { maxKeys: 4 });
  }
  const shape = Object.fromEntries(
    properties.map(([name, property]) => [name, validArbitrary(property, hints)]),
  );
  return fc.record(shape, { requiredKeys: schema.required ?? [] });
}

/** Values a field of this schema must refuse: one past each edge, and the wrong type. */
function nearMisses(schema: JsonSchema): unknown[] {
  const misses: unknown[] = [null, [], {}, true];
  if (schema.type === 'string' || schema.format || schema.pattern) {
    misses.push(42, '', ' ', '\u0000', 'not-a-valid-value!');
    if (schema.maxLength !== undefined) misses.push('x'.repeat(schema.maxLength + 1));
    if (schema.minLength !== undefined && schema.minLength > 0) {
      misses.push('x'.repeat(schema.minLength - 1));
    }
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    misses.push('1', 0.5, -0, 1e308, Number.MAX_SAFE_INTEGER + 2);
    if (schema.maximum !== undefined) misses.push(schema.maximum + 1);
    if (schema.minimum !== undefined) misses.push(schema.minimum - 1);
  }
  if (schema.type === 'array' && schema.maxItems !== undefined) {
    misses.push(Array.from({ length: schema.maxItems + 1 }, () => 'x'));
  }
  if (schema.enum) misses.push('definitely-not-one-of-them');
  return misses;
}

/** Arbitrary JSON of any shape, with strings that have broken other parsers. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.constantFrom(
    "' OR 1=1 --",
    "'; drop table users; --",
    '\u0000',
    '\ud800',
    '%00',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '__proto__',
    'x'.repeat(10_000),
  ),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
  // An own `__proto__` key, as JSON.parse makes it (a literal would set the prototype).
  fc.constant(JSON.parse('{"__proto__":{"role":"admin"},"constructor":{"prototype":{}}}')),
);

/**
 * Mostly-valid inputs gone wrong in one place (a field one past its edge or of the wrong type,
 * a required field missing, an unknown field), plus inputs of no relation to the schema.
 */
export function garbageArbitrary(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  const valid = validArbitrary(schema, hints);
  const properties = Object.entries(schema.properties ?? {});
  const choices: fc.Arbitrary<unknown>[] = [nastyValue, fc.constant(undefined)];
  if (properties.length > 0) {
    const broken = fc.oneof(
      ...properties.map(([name, property]) =>
        fc.record({
          name: fc.constant(name),
          value: fc.oneof(fc.constantFrom(...nearMisses(property)), nastyValue),
        }),
      ),
    );
    choices.push(
      fc
        .tuple(valid, broken)
        .map(([input, { name, value }]) => ({ ...asObject(input), [name]: value })),
      fc.tuple(valid, fc.constantFrom(...properties.map(([name]) => name))).map(([input, name]) => {
        const { [name]: _dropped, ...rest } = asObject(input);
        return rest;
      }),
      fc
        .tuple(valid, fc.string({ minLength: 1, maxLength: 10 }), nastyValue)
        .map(([input, name, value]) => ({ ...asObject(input), [name]: value })),
    );
  }
  return fc.oneof(...choices);
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : {};
}
