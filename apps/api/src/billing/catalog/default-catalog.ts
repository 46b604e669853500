/**
 * The default catalog: the paid tiers Tollbooth starts with (the free tier comes with the
 * migration). `pnpm db:seed` and `pnpm dev` apply it.
 *
 * Seeding inserts the plans whose code is missing and never touches an existing row: once a
 * plan exists the database owns it, so an admin's later edits (price, name, archive) survive
 * every re-seed. Then it queues a sync for each plan Stripe does not match yet, so a re-run
 * also restarts syncs that ran out of retries. Both steps are idempotent: the job key keeps
 * one queued sync per plan.
 */
import type { Database, NewPlan } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { enqueuePlanSync } from './plan-sync';
import { insertMissingPlans, listSyncablePlanIds, listUnsyncedPlanIds } from './plans.queries';

/** $0.08 per operation beyond a plan's allowance. */
const OVERAGE_PRICE_CENTS = 8;

// Entitlements are cumulative: each tier has its own features and those of the tiers below,
// so a server asks `hasEntitlement(access, 'email_support')` without knowing the tiers.
const STARTER = ['basic_analysis', 'email_support'];
const TEAM = [...STARTER, 'advanced_analysis', 'priority_support'];
const SCALE = [...TEAM, 'full_suite', 'api_access', 'dedicated_support'];
const ENTERPRISE = [...SCALE, 'custom_integrations', 'support_24_7'];

function tier(
  code: string,
  name: string,
  description: string,
  priceCents: number,
  includedOperations: number,
  entitlements: string[],
  sortOrder: number,
): NewPlan {
  return {
    code,
    name,
    description,
    price_cents: priceCents,
    currency: 'usd',
    billing_interval: 'month',
    included_operations: includedOperations,
    overage_price_cents: OVERAGE_PRICE_CENTS,
    monthly_credits: 0,
    entitlements,
    sort_order: sortOrder,
    sync_state: 'pending',
  };
}

export const DEFAULT_CATALOG: readonly NewPlan[] = [
  tier('starter', 'Starter', 'Basic analysis and email support.', 2_900, 100, STARTER, 10),
  tier('team', 'Team', 'Advanced analysis and priority support.', 7_900, 500, TEAM, 20),
  tier(
    'scale',
    'Scale',
    'The full suite, API access and dedicated support.',
    19_900,
    2_000,
    SCALE,
    30,
  ),
  tier(
    'enterprise',
    'Enterprise',
    'Custom integrations and 24/7 support.',
    59_900,
    10_000,
    ENTERPRISE,
    40,
  ),
];

export interface SeedResult {
  /** Codes of the plans this run inserted (empty on a re-run). */
  inserted: string[];
  /** How many plan syncs were queued (0 when Stripe is not configured). */
  queuedSyncs: number;
}

export async function seedDefaultCatalog(
  db: Kysely<Database>,
  options: {
    /** Without Stripe nothing is queued: the plans stay pending until a seed with Stripe. */
    stripeConfigured: boolean;
    /** `all` re-checks synced plans too (dev: the emulator's state may have been reset). */
    resync?: 'unsynced' | 'all';
  },
): Promise<SeedResult> {
  return db.transaction().execute(async (trx) => {
    const inserted = await insertMissingPlans(trx, [...DEFAULT_CATALOG]);
    if (!options.stripeConfigured)
      return { inserted: inserted.map((plan) => plan.code), queuedSyncs: 0 };
    const ids =
      options.resync === 'all' ? await listSyncablePlanIds(trx) : await listUnsyncedPlanIds(trx);
    for (const id of ids) await enqueuePlanSync(trx, id);
    return { inserted: inserted.map((plan) => plan.code), queuedSyncs: ids.length };
  });
}
