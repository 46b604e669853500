/**
 * admin.credits.packs.*: the credit packs on sale, edited by admins. As with plans
 * (billing/catalog/plans.service.ts), the database is the source of truth: a change commits
 * together with the job that makes Stripe match it (pack-sync.ts) and its audit row, so a
 * change is never lost between the two and Stripe never hears of one that rolled back.
 *
 * Archiving takes a pack off sale (credits.packs.list, credits.checkout.create) and
 * deactivates its Stripe product; a checkout opened before still credits what it sold, since
 * the webhook credits what the session carried (pack-purchase.ts). Archived packs are frozen
 * and their codes never reused, so a purchase's pack code always names what was sold.
 */
import type { CreditPack, CreditPackUpdate } from '@tollbooth/db';
import {
  type AdminAction,
  auditCatalogChange,
  differs,
  type SyncView,
  toSyncView,
} from '../../billing/catalog/catalog-admin';
import { requireStripe } from '../../billing/stripe-client';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { type PackView, toPackView } from './pack-checkout';
import { enqueuePackSync } from './pack-sync';
import { insertPack, listAllPacks, lockPack, nextPackSortOrder, updatePack } from './packs.queries';
import type { TCreatePackInput, TUpdatePackInput } from './packs.schemas';

type PacksDeps = Pick<Deps, 'db' | 'stripe' | 'clock'>;

export interface AdminPack extends PackView {
  /** False once archived: off sale; purchases already opened are still credited. */
  active: boolean;
  sortOrder: number;
  /** Bumped by every change; a sync makes Stripe match one version. */
  version: number;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
  stripe: { productId: string | null; priceId: string | null };
  sync: SyncView;
}

function toAdminPack(pack: CreditPack): AdminPack {
  return {
    ...toPackView(pack),
    active: pack.active,
    sortOrder: pack.sort_order,
    version: pack.version,
    archivedAt: pack.archived_at?.toISOString() ?? null,
    createdAt: pack.created_at.toISOString(),
    updatedAt: pack.updated_at.toISOString(),
    stripe: { productId: pack.stripe_product_id, priceId: pack.stripe_price_id },
    sync: toSyncView(pack),
  };
}

/** Every pack, archived ones last, with its Stripe ids and sync state. */
export async function listAdminPacks(deps: Pick<Deps, 'db'>): Promise<AdminPack[]> {
  return (await listAllPacks(deps.db)).map(toAdminPack);
}

export async function createPack(
  deps: PacksDeps,
  action: AdminAction,
  input: TCreatePackInput,
): Promise<AdminPack> {
  // A pack that could never reach Stripe would sit pending forever: refuse it now.
  requireStripe(deps);
  const pack = await deps.db.transaction().execute(async (trx) => {
    const created = await insertPack(trx, {
      code: input.code,
      name: input.name,
      credits: input.credits,
      price_cents: input.priceCents,
      currency: input.currency,
      sort_order: input.sortOrder ?? (await nextPackSortOrder(trx)),
      sync_state: 'pending',
    });
    if (!created) {
      throw new AppError(
        'CREDIT_PACK_CODE_TAKEN',
        `A credit pack with the code ${input.code} exists`,
        {
          fieldErrors: { code: ['is taken (codes of archived packs too)'] },
        },
      );
    }
    await enqueuePackSync(trx, created.code);
    await auditCatalogChange(trx, action, 'credits.pack_created', packRef(created), []);
    return created;
  });
  return toAdminPack(pack);
}

/** Column changes for the fields the input names, keeping only real differences. */
function changesFor(pack: CreditPack, input: TUpdatePackInput): CreditPackUpdate {
  const changes: CreditPackUpdate = {};
  if (differs(input.name, pack.name)) changes.name = input.name;
  if (differs(input.credits, pack.credits)) changes.credits = input.credits;
  if (differs(input.priceCents, pack.price_cents)) changes.price_cents = input.priceCents;
  if (differs(input.currency, pack.currency)) changes.currency = input.currency;
  if (differs(input.sortOrder, pack.sort_order)) changes.sort_order = input.sortOrder;
  return changes;
}

export async function updatePackByCode(
  deps: PacksDeps,
  action: AdminAction,
  input: TUpdatePackInput,
): Promise<AdminPack> {
  const pack = await changePack(deps, action, input.code, 'credits.pack_updated', (current) =>
    changesFor(current, input),
  );
  return toAdminPack(pack);
}

export async function archivePackByCode(
  deps: PacksDeps,
  action: AdminAction,
  code: string,
): Promise<AdminPack> {
  const pack = await changePack(deps, action, code, 'credits.pack_archived', () => ({
    active: false,
    archived_at: deps.clock.now(),
  }));
  return toAdminPack(pack);
}

/**
 * One admin change under the row lock: bump the version, mark it pending and queue the sync,
 * all in one transaction. No difference, no change.
 */
async function changePack(
  deps: PacksDeps,
  action: AdminAction,
  code: string,
  event: 'credits.pack_updated' | 'credits.pack_archived',
  changesOf: (pack: CreditPack) => CreditPackUpdate,
): Promise<CreditPack> {
  requireStripe(deps);
  return deps.db.transaction().execute(async (trx) => {
    const current = await lockPack(trx, code);
    if (!current)
      throw new AppError('CREDIT_PACK_NOT_FOUND', `No credit pack with the code ${code}`);
    if (!current.active) {
      // Archiving twice is a no-op; anything else would change what buyers were sold.
      if (event === 'credits.pack_archived') return current;
      throw new AppError(
        'CREDIT_PACK_ARCHIVED',
        `The credit pack ${code} is archived and cannot change`,
      );
    }
    const changes = changesOf(current);
    const changed = Object.keys(changes);
    if (changed.length === 0) return current;
    const updated = await updatePack(trx, code, {
      ...changes,
      version: current.version + 1,
      sync_state: 'pending',
    });
    await enqueuePackSync(trx, code);
    await auditCatalogChange(trx, action, event, packRef(updated), changed);
    return updated;
  });
}

function packRef(pack: CreditPack) {
  return { pack: pack.code, version: pack.version };
}
