/**
 * What admins see of the events the webhook could not apply, and the retry of one: the
 * stored body goes through ingest.ts again (so it is applied at most once), after the row is
 * put back to `received`.
 */
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { requireStripe } from '../stripe-client';
import { parseEventBody } from './envelope';
import { type IngestOutcome, ingestEvent } from './ingest';
import { listFailedEvents } from './stripe-events.queries';

export interface FailedStripeEvent {
  id: string;
  type: string;
  /** The object it is about (sub_…, in_…), when the body names one. */
  objectId: string | null;
  /** Why it could not be applied. */
  reason: string | null;
  source: string;
  stripeCreated: string;
  receivedAt: string;
}

export async function listFailedStripeEvents(
  deps: Pick<Deps, 'db'>,
  input: { limit: number; cursor?: { receivedAt: string; id: string } | null },
): Promise<{ events: FailedStripeEvent[]; nextCursor: { receivedAt: string; id: string } | null }> {
  const rows = await listFailedEvents(deps.db, {
    limit: input.limit + 1,
    before: input.cursor
      ? { receivedAt: new Date(input.cursor.receivedAt), id: input.cursor.id }
      : undefined,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => ({
      id: row.id,
      type: row.type,
      objectId: row.object_id,
      reason: row.error,
      source: row.source,
      stripeCreated: row.stripe_created.toISOString(),
      receivedAt: row.received_at.toISOString(),
    })),
    nextCursor:
      rows.length > input.limit && last
        ? { receivedAt: last.received_at.toISOString(), id: last.id }
        : null,
  };
}

export async function retryFailedStripeEvent(
  deps: Pick<Deps, 'db' | 'config' | 'clock' | 'logger' | 'metrics' | 'stripe'>,
  id: string,
  requestId: string,
): Promise<{ id: string; outcome: IngestOutcome }> {
  const stripe = requireStripe(deps);
  const row = await deps.db
    .selectFrom('stripe_events')
    .select(['payload', 'status'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No stored Stripe event ${id}`);
  if (row.status !== 'failed') {
    throw new AppError(
      'STRIPE_EVENT_NOT_FAILED',
      `Stripe event ${id} is ${row.status}, not failed`,
    );
  }
  const parsed = parseEventBody(
    row.payload,
    Buffer.from(JSON.stringify(row.payload)),
    deps.clock.now(),
  );
  // Still no Stripe event: it stays failed as it was.
  if (!parsed.ok) return { id, outcome: 'failed' };
  await deps.db
    .updateTable('stripe_events')
    .set({ status: 'received', error: null })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .execute();
  const result = await ingestEvent({ ...deps, stripe }, parsed, { source: 'webhook', requestId });
  return { id, outcome: result.outcome };
}
