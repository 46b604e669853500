/**
 * Store once, apply in the same transaction: the one path every verified Stripe event takes,
 * from the webhook or from reconciliation.
 *
 * Guarantees:
 * - Exactly once. The event row is inserted `ON CONFLICT DO NOTHING` at the end of the
 *   transaction that applies it: a duplicate finds the row first and applies nothing; a copy
 *   racing it (serialised by the handlers' locks) loses the insert and rolls back all it did;
 *   a rollback removes row and change together, so a retry applies it then. (Inserting at the
 *   end, with the outcome, writes the row once instead of insert-then-update.)
 * - Failures that a retry can fix (database, network, Stripe 5xx) roll back and throw: the
 *   route answers 500 and Stripe retries. Bodies no retry can fix (not a Stripe event, a
 *   field missing, an object Stripe does not have) are stored `failed` with the reason and
 *   answered 200: never a 5xx loop on bad data. Admins list them (billing.webhooks.failed).
 * - Types we do not apply are stored `ignored`, in one statement.
 */
import type Stripe from 'stripe';
import type { Deps } from '../../deps';
import { EventRejected } from '../stripe-events/context';
import { handlerFor, lockFreeOutcomeFor } from '../stripe-events/handlers';
import { type ApplyOptions, createApplyContext } from './apply-context';
import { clip, type ParsedBody } from './envelope';
import {
  findEventStatus,
  finishEvent,
  insertEventOnce,
  lockEvent,
  recordFailedEvent,
} from './stripe-events.queries';
import { countStripeEvent } from './webhook-metrics';

export type IngestDeps = Pick<Deps, 'db' | 'config' | 'clock' | 'logger' | 'metrics'> & {
  stripe: Stripe;
};

export type IngestOutcome = 'applied' | 'ignored' | 'failed' | 'duplicate';

export interface IngestResult {
  eventId: string;
  outcome: IngestOutcome;
}

export async function ingestEvent(
  deps: IngestDeps,
  parsed: ParsedBody,
  options: ApplyOptions,
): Promise<IngestResult> {
  const row = { ...parsed.row, source: options.source };
  const type = row.type;
  const outcome = await ingest(deps, parsed, row, options);
  countStripeEvent(deps.metrics, type, outcome);
  return { eventId: row.id, outcome };
}

async function ingest(
  deps: IngestDeps,
  parsed: ParsedBody,
  row: ParsedBody['row'],
  options: ApplyOptions,
): Promise<IngestOutcome> {
  const now = deps.clock.now();
  if (!parsed.ok) {
    const stored = await insertEventOnce(deps.db, {
      ...row,
      status: 'failed',
      error: clip(parsed.reason),
      applied_at: now,
    });
    if (stored) warnFailed(deps, row, parsed.reason);
    return stored ? 'failed' : 'duplicate';
  }
  const handler = handlerFor(parsed.event.type);
  if (!handler) return storeUnhandled(deps, row, now);
  const event = {
    id: parsed.event.id,
    type: parsed.event.type,
    created: parsed.event.created,
    object: parsed.event.data.object,
  };
  // Provably no change (LockFreeOutcome): one INSERT stores the outcome, no transaction; its
  // conflict is the duplicate check (a stored, unfinished row goes on to be applied below).
  const lockFree = lockFreeOutcomeFor(event.type);
  const unchanged = lockFree && (await lockFree({ db: deps.db, event }));
  if (
    unchanged &&
    (await insertEventOnce(deps.db, {
      ...row,
      status: unchanged.status,
      error: unchanged.status === 'ignored' ? clip(unchanged.reason) : null,
      applied_at: now,
    }))
  ) {
    return unchanged.status;
  }
  // Most duplicates end here, without a transaction or a Stripe call.
  const status = await findEventStatus(deps.db, row.id);
  if (status !== undefined && status !== 'received') return 'duplicate';
  try {
    return await deps.db.transaction().execute(async (trx) => {
      // A stored, unapplied row (reconciliation applies it): held until we are done.
      if (status === 'received' && (await lockEvent(trx, row.id))?.status !== 'received') {
        return 'duplicate';
      }
      const ctx = createApplyContext(trx, deps, event, options);
      const result = await handler(ctx);
      await ctx.finish();
      const outcome = {
        status: result.status,
        error: result.status === 'ignored' ? clip(result.reason) : null,
        at: now,
      };
      if (status === 'received') {
        await finishEvent(trx, row.id, outcome);
      } else if (
        !(await insertEventOnce(trx, {
          ...row,
          status: outcome.status,
          error: outcome.error,
          applied_at: now,
        }))
      ) {
        // A concurrent copy committed first: undo everything this one did.
        throw new DuplicateDelivery();
      }
      return result.status;
    });
  } catch (error) {
    if (error instanceof DuplicateDelivery) return 'duplicate';
    if (!(error instanceof EventRejected)) throw error;
    await recordFailedEvent(deps.db, row, clip(error.message), now);
    warnFailed(deps, row, error.message);
    return 'failed';
  }
}

class DuplicateDelivery extends Error {}

/**
 * A type we do not apply: one INSERT stores it as ignored (a conflict is a duplicate, unless
 * the stored row was never finished, which this finishes).
 */
async function storeUnhandled(
  deps: IngestDeps,
  row: ParsedBody['row'],
  now: Date,
): Promise<IngestOutcome> {
  if (await insertEventOnce(deps.db, { ...row, status: 'ignored', applied_at: now })) {
    return 'ignored';
  }
  const finished = await deps.db
    .updateTable('stripe_events')
    .set({ status: 'ignored', applied_at: now })
    .where('id', '=', row.id)
    .where('status', '=', 'received')
    .executeTakeFirst();
  return finished.numUpdatedRows > 0n ? 'ignored' : 'duplicate';
}

function warnFailed(deps: IngestDeps, row: ParsedBody['row'], reason: string) {
  deps.logger.warn(
    { stripeEvent: row.id, type: row.type, reason: clip(reason, 300) },
    'stripe event failed: stored for admins, answered 200',
  );
}
