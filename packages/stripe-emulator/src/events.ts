// Every state change an integration could care about is recorded as a Stripe event, the same
// types a real account emits, each carrying a JSON snapshot of the object *at that moment* —
// so a late or replayed delivery shows stale data exactly as Stripe's would, and integrations
// learn to re-read state instead of trusting payloads. Events are stored (for `events.list`) and
// handed to the webhook dispatcher after the request or clock step that caused them.
import Stripe from 'stripe';
import type { EmulatorClock } from './clock.ts';
import { newId } from './ids.ts';
import { type JsonObject, toJson } from './json.ts';
import type { Store } from './store.ts';

export type EventType = Stripe.Event['type'];
/** The object type Stripe puts in `data.object` for an event type, e.g. Customer for `customer.created`. */
export type EventObject<K extends EventType> = Extract<Stripe.Event, { type: K }>['data']['object'];

/** Which request caused an event; `null` ids mean "automatic" (a renewal, a retry). */
export interface RequestOrigin {
  id: string | null;
  idempotencyKey: string | null;
}

export const API_VERSION: string = Stripe.API_VERSION;

export class EventLog {
  private origin: RequestOrigin = { id: null, idempotencyKey: null };

  constructor(
    private readonly store: Store,
    private readonly clock: EmulatorClock,
    private readonly endpointCount: () => number,
    private readonly onEmit: (event: Stripe.EventBase) => void,
  ) {}

  /** Runs `work` with `origin` stamped on every event it emits (handlers are synchronous). */
  withOrigin<T>(origin: RequestOrigin, work: () => T): T {
    const previous = this.origin;
    this.origin = origin;
    try {
      return work();
    } finally {
      this.origin = previous;
    }
  }

  emit<K extends EventType>(
    type: K,
    object: EventObject<K>,
    previous?: JsonObject,
  ): Stripe.EventBase {
    const data: Stripe.Event.Data = { object: toJson(object) };
    if (previous) data.previous_attributes = previous;
    const event: Stripe.EventBase = {
      id: newId('event'),
      object: 'event',
      api_version: API_VERSION,
      created: this.clock.now(),
      data,
      livemode: false,
      pending_webhooks: this.endpointCount(),
      request: { id: this.origin.id, idempotency_key: this.origin.idempotencyKey },
      type,
    };
    this.store.events.set(event.id, event);
    this.onEmit(event);
    return event;
  }
}
