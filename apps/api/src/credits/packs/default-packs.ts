/**
 * The default credit packs `pnpm db:seed` adds: 1,000 credits for $10 and 5,000 for $45.
 * Like the plan catalog, a pack that exists is never touched again (admin edits survive),
 * and a sync is queued for every pack Stripe does not match yet (pack-sync.ts). Until a pack
 * is synced, checkout sells it with its terms inline (`price_data`).
 */
import type { Database, NewCreditPack } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { enqueuePackSync } from './pack-sync';
import { insertMissingPacks, listPackCodesToSync } from './packs.queries';

export const DEFAULT_PACKS: readonly NewCreditPack[] = [
  {
    code: 'credits_1000',
    name: '1,000 credits',
    credits: 1_000,
    price_cents: 1_000,
    sort_order: 1,
  },
  {
    code: 'credits_5000',
    name: '5,000 credits',
    credits: 5_000,
    price_cents: 4_500,
    sort_order: 2,
  },
];

/** Adds the default packs that are missing and queues syncs; answers the codes added. */
export async function seedDefaultPacks(
  db: Kysely<Database>,
  options: {
    /** Without Stripe nothing is queued: the packs stay pending until a seed with Stripe. */
    stripeConfigured: boolean;
    /** `all` re-checks synced packs too (dev: the emulator's state may have been reset). */
    resync?: 'unsynced' | 'all';
  },
): Promise<{ inserted: string[]; queuedSyncs: number }> {
  return db.transaction().execute(async (trx) => {
    const inserted = await insertMissingPacks(trx, [...DEFAULT_PACKS]);
    if (!options.stripeConfigured) return { inserted, queuedSyncs: 0 };
    const codes = await listPackCodesToSync(trx, options.resync ?? 'unsynced');
    for (const code of codes) await enqueuePackSync(trx, code);
    return { inserted, queuedSyncs: codes.length };
  });
}
