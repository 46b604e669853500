// Objects leave the emulator as JSON — in responses, in event snapshots, in the state file — and
// always through JSON.stringify, because Stripe's types hold `Decimal` instances (for
// `unit_amount_decimal` and friends) whose `toJSON` yields Stripe's decimal strings.

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep, frozen-in-time JSON copy: what an event snapshot or a response body holds. */
export function toJson(value: object): JsonObject {
  const parsed: JsonValue = JSON.parse(JSON.stringify(value));
  if (!isJsonObject(parsed)) throw new TypeError('expected a JSON object');
  return parsed;
}

/** Stripe's `previous_attributes`: the old value of every top-level field that changed. */
export function previousAttributes(before: JsonObject, after: JsonObject): JsonObject {
  const changed: JsonObject = {};
  for (const [key, oldValue] of Object.entries(before)) {
    if (JSON.stringify(oldValue) !== JSON.stringify(after[key])) changed[key] = oldValue;
  }
  return changed;
}
