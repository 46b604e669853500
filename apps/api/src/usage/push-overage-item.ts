/**
 * The `usage_push_overage` job: bills one `overage` usage record as one Stripe invoice item on
 * the subscription that was live when it was recorded. Stripe sweeps pending items into that
 * subscription's next invoice, where it shows as `quantity × unit price`.
 *
 * Exactly once per record, however often the job runs:
 * - done once the record holds the item's id (written only where none is);
 * - the create carries the idempotency key `usage-overage:<record id>`, so a retry after a
 *   lost answer gets the first call's item back from Stripe for 24 hours;
 * - a retry first looks for an item carrying the record's id in its metadata (created by an
 *   attempt whose answer was lost, any time ago), so even a retry beyond Stripe's 24 hours
 *   adopts that item instead of making a second.
 * A failure throws: graphile-worker retries with backoff (overage-invoice.ts sets the tries).
 */
import Stripe from 'stripe';
import { requireStripe } from '../billing/stripe-client';
import type { Deps } from '../deps';
import { findOverageToBill, markOverageBilled, type OverageToBill } from './usage.queries';

type PushDeps = Pick<Deps, 'db' | 'stripe' | 'logger'>;

/** The metadata key naming the usage record an invoice item bills. */
export const USAGE_RECORD_METADATA_KEY = 'tollbooth_usage_record';

/** Seconds of clock difference between us and Stripe that the retry's lookup tolerates. */
const LOOKUP_SLACK_SECONDS = 300;

export function overageIdempotencyKey(recordId: number): string {
  return `usage-overage:${recordId}`;
}

export async function pushOverageItem(
  deps: PushDeps,
  recordId: number,
  options: { retry: boolean },
): Promise<void> {
  const record = await findOverageToBill(deps.db, recordId);
  if (!record) throw new Error(`usage record ${recordId} is not an overage record`);
  if (record.stripeInvoiceItemId) return;
  const stripe = requireStripe(deps);
  const existing = options.retry ? await findPushedItem(stripe, record) : undefined;
  const item = existing ?? (await createItem(stripe, record));
  await markOverageBilled(deps.db, record.id, item.id);
  deps.logger.info(
    { usageRecordId: record.id, invoiceItem: item.id, cents: record.overageCents },
    existing
      ? 'usage overage: adopted the invoice item an earlier try made'
      : 'usage overage billed',
  );
}

function customerOf(record: OverageToBill): string {
  if (!record.stripeCustomerId || !record.subscriptionId || !record.currency) {
    throw new Error(`usage record ${record.id} has no subscription to bill`);
  }
  return record.stripeCustomerId;
}

async function findPushedItem(
  stripe: Stripe,
  record: OverageToBill,
): Promise<Stripe.InvoiceItem | undefined> {
  const since = Math.floor(record.createdAt.getTime() / 1000) - LOOKUP_SLACK_SECONDS;
  const items = stripe.invoiceItems.list({
    customer: customerOf(record),
    created: { gte: since },
    limit: 100,
  });
  for await (const item of items) {
    if (item.metadata?.[USAGE_RECORD_METADATA_KEY] === String(record.id)) return item;
  }
  return undefined;
}

async function createItem(stripe: Stripe, record: OverageToBill): Promise<Stripe.InvoiceItem> {
  // Exact: overage_cents is overage_quantity × the plan's whole-cent price (migration 0014).
  const unitCents = record.overageCents / record.overageQuantity;
  return stripe.invoiceItems.create(
    {
      customer: customerOf(record),
      subscription: record.subscriptionId ?? undefined,
      currency: record.currency ?? undefined,
      quantity: record.overageQuantity,
      unit_amount_decimal: Stripe.Decimal.from(String(unitCents)),
      description: `${record.operationName} beyond the plan's included operations`,
      period: {
        start: Math.floor(record.periodStart.getTime() / 1000),
        end: Math.floor(record.periodEnd.getTime() / 1000),
      },
      metadata: { [USAGE_RECORD_METADATA_KEY]: String(record.id), userId: record.userId },
    },
    { idempotencyKey: overageIdempotencyKey(record.id) },
  );
}
