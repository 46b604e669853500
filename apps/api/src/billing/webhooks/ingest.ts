/**
 * Store once, apply in the same transaction: the one path every verified Stripe event takes,
 * from the webhook or from reconciliation.
 *
 * Guarantees:
 * - Exactly once. The event row is inserted `ON CONFLICT DO NOTHING` in the transaction that
 *   applies it: a duplicate (even a concurrent one, which waits on the row) finds it and
 *   applies nothing; a rollback removes both, so a retry applies it then.
 * - Failures that a retry can fix (database, network, Stripe 5xx) roll back and throw: the
 *   route answers 500 and Stripe retries. Bodies no retry can fix (not a Stripe event, a
 *   field missing, an object Stripe does not have) are stored `failed` with the reason and
 *   answered 200: never a 5xx loop on bad data. Admins list them (billing.webhooks.failed).
 * - Types we do not apply are stored `ignored`.
 */
import type Stripe from 'stripe';
import type { Deps } from '../../deps';
import { EventRejected, type HandlerResult, ignored } from '../stripe-events/context';
import { handlerFor } from '../stripe-events/handlers';
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
  // Most duplicates end here, without a transaction or a Stripe call.
  const status = await findEventStatus(deps.db, row.id);
  if (status !== undefined && status !== 'received') return 'duplicate';
  try {
    return await deps.db.transaction().execute(async (trx) => {
      if (!(await insertEventOnce(trx, row))) {
        const stored = await lockEvent(trx, row.id);
        if (stored?.status !== 'received') return 'duplicate';
      }
      const event = {
        id: parsed.event.id,
        type: parsed.event.type,
        created: parsed.event.created,
        object: parsed.event.data.object,
      };
      const handler = handlerFor(event.type);
      let result: HandlerResult = ignored('not a type Tollbooth applies');
      if (handler) {
        const ctx = createApplyContext(trx, deps, event, options);
        result = await handler(ctx);
        await ctx.finish();
      }
      await finishEvent(trx, row.id, {
        status: result.status,
        error: result.status === 'ignored' ? clip(result.reason) : null,
        at: now,
      });
      return result.status;
    });
  } catch (error) {
    if (!(error instanceof EventRejected)) throw error;
    await recordFailedEvent(deps.db, row, clip(error.message), now);
    warnFailed(deps, row, error.message);
    return 'failed';
  }
}

function warnFailed(deps: IngestDeps, row: ParsedBody['row'], reason: string) {
  deps.logger.warn(
    { stripeEvent: row.id, type: row.type, reason: clip(reason, 300) },
    'stripe event failed: stored for admins, answered 200',
  );
}
