/**
 * The event envelope, checked before anything is applied, and the row it is stored as.
 * A verified body that is no Stripe event (no id, no type, not JSON) is still stored, under
 * an id derived from its bytes, as `failed`: answered 200 so the sender stops, shown to
 * admins, and deduplicated like any event if it comes again.
 */
import { createHash } from 'node:crypto';
import type { Json, NewStripeEvent } from '@tollbooth/db';
import { z } from 'zod';

export const ZEventEnvelope = z.object({
  id: z
    .string()
    .regex(/^evt_[A-Za-z0-9_]+$/, { error: 'must be an event id (evt_…)' })
    .max(255),
  object: z.literal('event', { error: 'must be "event"' }),
  type: z
    .string()
    .regex(/^[a-z0-9_.]+$/, { error: 'must be an event type' })
    .max(100),
  created: z.number().int().nonnegative().max(32_503_680_000),
  livemode: z.boolean(),
  data: z.object({ object: z.looseObject({ object: z.string().max(100) }) }),
});

export type EventEnvelope = z.output<typeof ZEventEnvelope>;

const MAX_ERROR_LENGTH = 1_000;

/** Shortened to fit its column; NUL (which text columns cannot hold) replaced. */
export function clip(text: string, max = MAX_ERROR_LENGTH): string {
  const clean = text.replaceAll('\u0000', '\ufffd');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/**
 * PostgreSQL's jsonb cannot hold U+0000; Stripe never sends it, a crafted body may. Replaced
 * (in keys and values) so such a body is stored, not a database error answered 500 forever.
 */
export function storableJson(value: unknown): Json {
  // pg sends a JS array as a PostgreSQL array and null as NULL: keep the column an object.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return storableJson({ body: value ?? null });
  }
  return JSON.parse(
    JSON.stringify(value ?? null).replaceAll(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd'),
  );
}

/** What the event is about, if its body names it in the shape of a Stripe id. */
function objectIdOf(object: Record<string, unknown>): string | null {
  return typeof object.id === 'string' && /^[A-Za-z0-9_]{1,255}$/.test(object.id)
    ? object.id
    : null;
}

export type ParsedBody =
  | { ok: true; event: EventEnvelope; row: NewStripeEvent }
  | { ok: false; reason: string; row: NewStripeEvent };

/**
 * Reads a verified body (`body`: its JSON, or undefined when it is not JSON; `raw`: its
 * bytes, for the id of an unreadable one); never throws.
 */
export function parseEventBody(body: unknown, raw: Uint8Array, receivedAt: Date): ParsedBody {
  const parsed = ZEventEnvelope.safeParse(body);
  if (parsed.success) {
    const event = parsed.data;
    return {
      ok: true,
      event,
      row: {
        id: event.id,
        type: event.type,
        stripe_created: new Date(event.created * 1000),
        livemode: event.livemode,
        object_id: objectIdOf(event.data.object),
        payload: storableJson(body),
      },
    };
  }
  const issue = parsed.error.issues[0];
  const reason =
    body === undefined
      ? 'the body is not JSON'
      : `${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'is invalid'}`;
  const loose = z
    .looseObject({ id: z.unknown(), type: z.unknown(), created: z.unknown() })
    .safeParse(body);
  const id = loose.success ? ZEventEnvelope.shape.id.safeParse(loose.data.id) : undefined;
  const type = loose.success ? ZEventEnvelope.shape.type.safeParse(loose.data.type) : undefined;
  const created = loose.success
    ? ZEventEnvelope.shape.created.safeParse(loose.data.created)
    : undefined;
  return {
    ok: false,
    reason: `not a Stripe event: ${reason}`,
    row: {
      id: id?.success
        ? id.data
        : `evt_unreadable_${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`,
      type: type?.success ? type.data : 'unknown',
      stripe_created: created?.success ? new Date(created.data * 1000) : receivedAt,
      livemode: false,
      object_id: null,
      payload:
        body === undefined
          ? storableJson({ unparsed: clip(Buffer.from(raw).toString('utf8'), 10_000) })
          : storableJson(body),
    },
  };
}
