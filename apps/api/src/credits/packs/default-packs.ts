/**
 * The default credit packs `pnpm db:seed` adds: 1,000 credits for $10 and 5,000 for $45.
 * Like the plan catalog, a pack that exists is never touched again (admin edits survive).
 * Packs are sold with their price inline (`price_data`), so they need no Stripe sync.
 */
import type { Database, NewCreditPack } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { insertMissingPacks } from './packs.queries';

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

/** Adds the default packs that are missing; answers the codes added. */
export async function seedDefaultPacks(db: Kysely<Database>): Promise<string[]> {
  return insertMissingPacks(db, [...DEFAULT_PACKS]);
}
