/**
 * Making Stripe match a credit pack: one product per pack (`tb_pack_<code>`), one active
 * one-time price with the pack's terms. The same rules as the plan catalog's (ADR 0007,
 * stripe-product-sync.ts): retries never duplicate, a price change makes a new price and
 * deactivates the old, archiving deactivates the product.
 *
 * The job carries only the pack code and reads the row when it runs (latest wins; one job
 * queued per pack by its job key, one running at a time by its queue). A failure is recorded
 * on the pack (failed, the error, attempts) and rethrown, so the job queue retries it.
 * Checkout sells the synced price only while Stripe matches the pack's current version
 * (pack-checkout.ts), so nothing is sold at a price an admin has already changed.
 */
import type { CreditPack, Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import {
  CATALOG_SYNC_MAX_ATTEMPTS,
  type CatalogItem,
  describeSyncError,
  pushCatalogItem,
} from '../../billing/catalog/stripe-product-sync';
import { requireStripe } from '../../billing/stripe-client';
import type { Deps } from '../../deps';
import { enqueueJob } from '../../jobs/queue';
import {
  recordPackSyncFailure,
  recordPackSyncOutcome,
  startPackSyncAttempt,
} from './packs.queries';

/** Queues a sync of the pack; call it in the transaction that changed the pack. */
export async function enqueuePackSync(db: Kysely<Database>, code: string): Promise<void> {
  await enqueueJob(
    db,
    'credits_sync_pack',
    { code },
    {
      jobKey: `credits_sync_pack:${code}`,
      queueName: `credits_pack:${code}`,
      maxAttempts: CATALOG_SYNC_MAX_ATTEMPTS,
    },
  );
}

/** Ours, so a second create finds the first (codes are never reused: archived packs stay). */
export function stripeProductIdForPack(code: string): string {
  return `tb_pack_${code}`;
}

/** The job: one attempt at making Stripe match the pack as it is now. */
export async function syncPack(deps: Pick<Deps, 'db' | 'stripe' | 'clock'>, code: string) {
  const pack = await startPackSyncAttempt(deps.db, code);
  if (!pack) return; // no such pack
  try {
    const outcome = await pushCatalogItem(requireStripe(deps), packItem(pack));
    await recordPackSyncOutcome(deps.db, pack, outcome, deps.clock.now());
  } catch (error) {
    await recordPackSyncFailure(deps.db, code, describeSyncError(error));
    throw error;
  }
}

function packItem(pack: CreditPack): CatalogItem {
  const metadata = { tollbooth_pack_code: pack.code, credits: String(pack.credits) };
  return {
    product: {
      id: pack.stripe_product_id ?? stripeProductIdForPack(pack.code),
      name: pack.name,
      description: null,
      active: pack.active,
      metadata,
      ownerKey: 'tollbooth_pack_code',
    },
    price: {
      unitAmount: pack.price_cents,
      currency: pack.currency,
      recurring: null,
      nickname: pack.name,
      metadata: { ...metadata, tollbooth_pack_version: String(pack.version) },
    },
    currentPriceId: pack.stripe_price_id,
    keyPrefix: `tollbooth:pack:${pack.code}:v${pack.version}`,
  };
}
