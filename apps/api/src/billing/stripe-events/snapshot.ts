/**
 * The object an event is about, from the event's own snapshot (data.object) when that is
 * provably safe, else from a fresh read of Stripe: a fresh read per event, inside the
 * event's transaction, was what capped webhook throughput (ADR 0010).
 *
 * The rule, per Stripe object, with the watermark W the mirror holds (watermarks.queries.ts:
 * a Stripe time the held state is at least as new as, and the fingerprint of the object it
 * was derived from) and an event created at second c carrying snapshot s:
 * - no W, or c > W's time: s is newer than anything the mirror holds → s;
 * - c ≤ W's time (a tie in Stripe's one-second `created`, or an older event) and s is what
 *   the held state was derived from (same fingerprint): either order gives the same
 *   outcome → s;
 * - otherwise (a tie or an older event with other content, or a snapshot that does not
 *   parse): a fresh read, as before. That read may already hold changes whose events are
 *   still on their way, so W becomes our clock at the read plus a margin for clock skew:
 *   events created up to then must match what was read, or read again.
 * The caller holds the object's lock (context.ts), so W and the mirror move together.
 *
 * One case needs no lock: a snapshot with the held content (`heldSnapshot`). Applying it
 * again changes nothing, whatever committed meanwhile: a newer change supersedes it, and the
 * held state already reflects it. Only W's time may have to move up to the event's, which one
 * conditional UPDATE does (still the same content, still older); the locked path reads W
 * `FOR UPDATE`, so that UPDATE cannot slip between its read and its write. A handler whose
 * outcome then writes nothing answers the event outside any transaction (context.ts,
 * LockFreeOutcome), without waiting for the object's lock.
 */
import { createHash } from 'node:crypto';
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import {
  advanceWatermark,
  findWatermark,
  saveWatermark,
  type Watermark,
} from '../mirror/watermarks.queries';
import { type ApplyContext, type EventEnvelope, readStripe } from './context';

/** How far Stripe's clock may run ahead of ours at a fresh read (NTP keeps it far smaller). */
export const READ_CLOCK_MARGIN_SECONDS = 60;

export type ObjectSource = 'snapshot' | 'stripe';

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** Whether snapshot s (created at `createdSeconds`) may stand in for a fresh read. */
export function snapshotIsSafe(
  held: Watermark | undefined,
  createdSeconds: number,
  fingerprint: string,
): boolean {
  if (!held) return true;
  return createdSeconds * 1000 > held.stripeCreated.getTime() || fingerprint === held.fingerprint;
}

/**
 * The snapshot, when it is the content W holds (W's time moved up to the event's); no lock.
 * `read` fetches W, and may bring other facts about the object in the same round trip
 * (`extra`).
 */
export async function heldSnapshot<T extends z.ZodType<{ id: string }>, E>(
  db: Kysely<Database>,
  event: EventEnvelope,
  schema: T,
  read: (objectId: string) => Promise<{ held: Watermark | undefined; extra: E }>,
): Promise<{ object: z.output<T>; extra: E } | undefined> {
  const snapshot = schema.safeParse(event.object);
  if (!snapshot.success) return undefined;
  const { held, extra } = await read(snapshot.data.id);
  const fingerprint = fingerprintOf(snapshot.data);
  if (held?.fingerprint !== fingerprint) return undefined;
  const created = new Date(event.created * 1000);
  if (created <= held.stripeCreated) return { object: snapshot.data, extra };
  const moved = await advanceWatermark(db, snapshot.data.id, {
    stripeCreated: created,
    fingerprint,
  });
  return moved ? { object: snapshot.data, extra } : undefined;
}

export async function currentObject<T extends z.ZodType>(
  ctx: ApplyContext,
  options: {
    objectId: string;
    schema: T;
    /** For messages: "customer cus_…". */
    what: string;
    read: () => Promise<unknown>;
  },
): Promise<{ object: z.output<T>; source: ObjectSource }> {
  const { objectId, schema, what, read } = options;
  const created = new Date(ctx.event.created * 1000);
  const held = await findWatermark(ctx.trx, objectId, { forUpdate: true });
  const snapshot = schema.safeParse(ctx.event.object);
  if (snapshot.success) {
    const fingerprint = fingerprintOf(snapshot.data);
    if (snapshotIsSafe(held, ctx.event.created, fingerprint)) {
      // A tie or an older event with the held content changes nothing, the watermark neither.
      if (!held || created > held.stripeCreated) {
        await saveWatermark(ctx.trx, objectId, { stripeCreated: created, fingerprint });
      }
      return { object: snapshot.data, source: 'snapshot' };
    }
  }
  const fresh = await readStripe(schema, what, read);
  const readBound = new Date(
    (Math.ceil(ctx.deps.clock.now().getTime() / 1000) + READ_CLOCK_MARGIN_SECONDS) * 1000,
  );
  const latest = [readBound, created, held?.stripeCreated ?? created].reduce((a, b) =>
    a > b ? a : b,
  );
  await saveWatermark(ctx.trx, objectId, {
    stripeCreated: latest,
    fingerprint: fingerprintOf(fresh),
  });
  return { object: fresh, source: 'stripe' };
}
