/**
 * Reconciliation: what the webhook missed, made good from Stripe. Runs hourly in the worker
 * (graphile-worker cron, jobs/worker.ts) and on demand (`pnpm billing:reconcile`).
 *
 * 1. Events. Stripe's events since the newest one we finished, minus a look-back window, are
 *    listed; those we never stored go through the webhook's own path (ingest.ts, source
 *    `reconcile`), so they are applied exactly once, and a late delivery of one is a duplicate.
 *    The window: a lost event can be older than the newest we got (Stripe retries a failing
 *    delivery for up to three days, while later events get through), so we look back as far.
 * 2. Stored rows still `received` (a body stored but never applied) are applied.
 * 3. Subscriptions that still grant access although their period has ended are re-read from
 *    Stripe: a renewal moves the period on, a lost `deleted` ends them. Nothing stays premium
 *    because an event never arrived.
 */
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { Deps } from '../../deps';
import { listOverdueSubscriptions } from '../mirror/subscriptions.queries';
import { EventRejected, lockCustomer } from '../stripe-events/context';
import { syncSubscription } from '../stripe-events/sync-subscription';
import { createApplyContext } from '../webhooks/apply-context';
import { parseEventBody } from '../webhooks/envelope';
import { type IngestOutcome, ingestEvent } from '../webhooks/ingest';
import {
  knownEventIds,
  listReceivedEventIds,
  newestFinishedEventCreated,
} from '../webhooks/stripe-events.queries';

/** Stripe retries a failing delivery for up to three days. */
export const RECONCILE_LOOKBACK_SECONDS = 3 * 24 * 60 * 60;
/** One run's share of stored rows and overdue subscriptions; the next run takes the rest. */
const BATCH_LIMIT = 500;

export type ReconcileDeps = Pick<Deps, 'db' | 'config' | 'clock' | 'logger' | 'metrics' | 'stripe'>;

export interface ReconcileReport {
  /** False when billing is off (no STRIPE_SECRET_KEY): nothing was looked at. */
  ran: boolean;
  listedSince: string | null;
  listed: number;
  /** Events Stripe had that we never stored, by what applying them did. */
  missed: Record<IngestOutcome, number>;
  reappliedStored: number;
  overdueResynced: number;
}

function emptyReport(ran: boolean): ReconcileReport {
  return {
    ran,
    listedSince: null,
    listed: 0,
    missed: { applied: 0, ignored: 0, failed: 0, duplicate: 0 },
    reappliedStored: 0,
    overdueResynced: 0,
  };
}

export async function reconcileBilling(deps: ReconcileDeps): Promise<ReconcileReport> {
  const stripe = deps.stripe;
  if (!stripe) return emptyReport(false);
  const withStripe = { ...deps, stripe };
  const requestId = `reconcile-${randomUUID()}`;
  const report = emptyReport(true);
  await applyMissedEvents(withStripe, requestId, report);
  report.reappliedStored = await reapplyStoredEvents(withStripe, requestId);
  report.overdueResynced = await resyncOverdueSubscriptions(withStripe, requestId);
  deps.logger.info({ requestId, ...report }, 'billing reconciliation done');
  return report;
}

type WithStripe = ReconcileDeps & { stripe: Stripe };

async function applyMissedEvents(deps: WithStripe, requestId: string, report: ReconcileReport) {
  const newest = await newestFinishedEventCreated(deps.db);
  // Stripe's clock, not ours: `created` of the events we stored. Without any, everything
  // Stripe still keeps (30 days).
  // Never from the future: an event stamped ahead (clock skew) must not hide the ones before.
  const from = newest ? Math.min(newest.getTime(), deps.clock.now().getTime()) : null;
  const gte = from === null ? null : Math.floor(from / 1000) - RECONCILE_LOOKBACK_SECONDS;
  report.listedSince = gte === null ? null : new Date(gte * 1000).toISOString();
  const events: Stripe.Event[] = [];
  const params = gte === null ? { limit: 100 } : { created: { gte }, limit: 100 };
  for await (const event of deps.stripe.events.list(params)) {
    events.push(event);
  }
  report.listed = events.length;
  const known = await knownEventIds(
    deps.db,
    events.map((event) => event.id),
  );
  // Lists are newest first; apply in the order Stripe made them.
  const missing = events.filter((event) => !known.has(event.id)).reverse();
  for (const event of missing) {
    const raw = Buffer.from(JSON.stringify(event));
    const parsed = parseEventBody(event, raw, deps.clock.now());
    const { outcome } = await ingestEvent(deps, parsed, { source: 'reconcile', requestId });
    report.missed[outcome] += 1;
  }
}

async function reapplyStoredEvents(deps: WithStripe, requestId: string): Promise<number> {
  let count = 0;
  for (const id of await listReceivedEventIds(deps.db, BATCH_LIMIT)) {
    const stored = await deps.db
      .selectFrom('stripe_events')
      .select('payload')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!stored) continue;
    const raw = Buffer.from(JSON.stringify(stored.payload));
    await ingestEvent(deps, parseEventBody(stored.payload, raw, deps.clock.now()), {
      source: 'reconcile',
      requestId,
    });
    count += 1;
  }
  return count;
}

async function resyncOverdueSubscriptions(deps: WithStripe, requestId: string): Promise<number> {
  const overdue = await listOverdueSubscriptions(deps.db, deps.clock.now(), BATCH_LIMIT);
  for (const { id, stripe_customer_id: customer } of overdue) {
    try {
      await deps.db.transaction().execute(async (trx) => {
        const ctx = createApplyContext(
          trx,
          deps,
          {
            id: requestId,
            type: 'reconcile.overdue_subscription',
            created: Math.floor(deps.clock.now().getTime() / 1000),
            object: { object: 'subscription', id },
          },
          { source: 'reconcile', requestId },
        );
        await lockCustomer(trx, customer);
        await syncSubscription(ctx, id, customer);
        await ctx.finish();
      });
    } catch (error) {
      // One subscription Stripe no longer has must not stop the others.
      if (!(error instanceof EventRejected)) throw error;
      deps.logger.warn(
        { subscription: id, reason: error.message },
        'overdue subscription not resynced',
      );
    }
  }
  return overdue.length;
}
