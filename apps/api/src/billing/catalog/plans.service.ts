/**
 * The plan catalog's use cases. The database is the source of truth: an admin change commits
 * together with the job that will make Stripe match it (plan-sync.ts), so a change is never
 * lost between the two and Stripe is never told about a change that rolled back.
 */
import type { Plan, PlanUpdate } from '@tollbooth/db';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { requireStripe } from '../stripe-client';
import { type AdminAction, auditCatalogChange, differs } from './catalog-admin';
import { enqueuePlanSync } from './plan-sync';
import { type AdminPlan, type PublicPlan, toAdminPlan, toPublicPlan } from './plan-view';
import {
  findPlanByCode,
  insertPlan,
  listActivePlans,
  listAllPlans,
  listPlanPrices,
  lockPlanByCode,
  nextSortOrder,
  updatePlan,
} from './plans.queries';
import { FREE_PLAN_CODE, type TCreatePlanInput, type TUpdatePlanInput } from './plans.schemas';

type CatalogDeps = Pick<Deps, 'db' | 'stripe' | 'clock'>;

export async function listPublicPlans(deps: Pick<Deps, 'db'>): Promise<PublicPlan[]> {
  return (await listActivePlans(deps.db)).map(toPublicPlan);
}

/** Any plan by code, archived ones too: subscribers of an archived plan still read theirs. */
export async function getPublicPlan(deps: Pick<Deps, 'db'>, code: string): Promise<PublicPlan> {
  return toPublicPlan(await requirePlan(deps, code));
}

export async function listAdminPlans(deps: Pick<Deps, 'db'>): Promise<AdminPlan[]> {
  const plans = await listAllPlans(deps.db);
  const prices = await listPlanPrices(
    deps.db,
    plans.map((plan) => plan.id),
  );
  return plans.map((plan) => toAdminPlan(plan, prices));
}

async function requirePlan(deps: Pick<Deps, 'db'>, code: string): Promise<Plan> {
  const plan = await findPlanByCode(deps.db, code);
  if (!plan) throw new AppError('PLAN_NOT_FOUND', `No plan with the code ${code}`);
  return plan;
}

async function adminView(deps: Pick<Deps, 'db'>, plan: Plan): Promise<AdminPlan> {
  return toAdminPlan(plan, await listPlanPrices(deps.db, [plan.id]));
}

export async function createPlan(
  deps: CatalogDeps,
  action: AdminAction,
  input: TCreatePlanInput,
): Promise<AdminPlan> {
  // A plan that could never reach Stripe would sit pending forever: refuse it now.
  requireStripe(deps);
  const plan = await deps.db.transaction().execute(async (trx) => {
    const created = await insertPlan(trx, {
      code: input.code,
      name: input.name,
      description: input.description,
      price_cents: input.priceCents,
      currency: input.currency,
      billing_interval: input.interval,
      included_operations: input.includedOperations,
      overage_price_cents: input.overagePriceCents,
      overage_mode: input.overageMode,
      monthly_credits: input.monthlyCredits,
      entitlements: input.entitlements,
      sort_order: input.sortOrder ?? (await nextSortOrder(trx)),
      sync_state: 'pending',
    });
    if (!created) {
      throw new AppError('PLAN_CODE_TAKEN', `A plan with the code ${input.code} exists`, {
        fieldErrors: { code: ['is taken (codes of archived plans too)'] },
      });
    }
    await enqueuePlanSync(trx, created.id);
    await auditCatalogChange(trx, action, 'billing.plan_created', planRef(created), []);
    return created;
  });
  return adminView(deps, plan);
}

/** Column changes for the fields the input names, keeping only real differences. */
function changesFor(plan: Plan, input: TUpdatePlanInput): PlanUpdate {
  const changes: PlanUpdate = {};
  if (differs(input.name, plan.name)) changes.name = input.name;
  if (differs(input.description, plan.description)) changes.description = input.description;
  if (differs(input.priceCents, plan.price_cents)) changes.price_cents = input.priceCents;
  if (differs(input.currency, plan.currency)) changes.currency = input.currency;
  if (differs(input.interval, plan.billing_interval)) changes.billing_interval = input.interval;
  if (differs(input.includedOperations, plan.included_operations)) {
    changes.included_operations = input.includedOperations;
  }
  if (differs(input.overagePriceCents, plan.overage_price_cents)) {
    changes.overage_price_cents = input.overagePriceCents;
  }
  if (differs(input.overageMode, plan.overage_mode)) changes.overage_mode = input.overageMode;
  if (differs(input.monthlyCredits, plan.monthly_credits)) {
    changes.monthly_credits = input.monthlyCredits;
  }
  if (differs(input.entitlements, plan.entitlements)) changes.entitlements = input.entitlements;
  if (differs(input.sortOrder, plan.sort_order)) changes.sort_order = input.sortOrder;
  return changes;
}

export async function updatePlanByCode(
  deps: CatalogDeps,
  action: AdminAction,
  input: TUpdatePlanInput,
): Promise<AdminPlan> {
  const plan = await changePlan(deps, action, input.code, 'billing.plan_updated', (current) =>
    changesFor(current, input),
  );
  return adminView(deps, plan);
}

export async function archivePlanByCode(
  deps: CatalogDeps,
  action: AdminAction,
  code: string,
): Promise<AdminPlan> {
  const plan = await changePlan(deps, action, code, 'billing.plan_archived', () => ({
    active: false,
    archived_at: deps.clock.now(),
  }));
  return adminView(deps, plan);
}

/** Queues a sync of an unchanged plan (after a sync ran out of retries, say). */
export async function resyncPlanByCode(deps: CatalogDeps, code: string): Promise<AdminPlan> {
  requireStripe(deps);
  const plan = await requirePlan(deps, code);
  if (plan.sync_state !== 'local') await enqueuePlanSync(deps.db, plan.id);
  return adminView(deps, plan);
}

/**
 * One admin change under the row lock: bump the version, mark it pending (the free tier
 * stays local) and queue the sync, all in one transaction. No difference, no change.
 */
async function changePlan(
  deps: CatalogDeps,
  action: AdminAction,
  code: string,
  event: 'billing.plan_updated' | 'billing.plan_archived',
  changesOf: (plan: Plan) => PlanUpdate,
): Promise<Plan> {
  const isFreeTier = code === FREE_PLAN_CODE;
  if (!isFreeTier) requireStripe(deps);
  return deps.db.transaction().execute(async (trx) => {
    const current = await lockPlanByCode(trx, code);
    if (!current) throw new AppError('PLAN_NOT_FOUND', `No plan with the code ${code}`);
    if (!current.active) {
      // Archiving twice is a no-op; anything else would change what subscribers were sold.
      if (event === 'billing.plan_archived') return current;
      throw new AppError('PLAN_ARCHIVED', `The plan ${code} is archived and cannot change`);
    }
    const changes = changesOf(current);
    const changed = Object.keys(changes);
    if (changed.length === 0) return current;
    const updated = await updatePlan(trx, current.id, {
      ...changes,
      version: current.version + 1,
      ...(!isFreeTier && { sync_state: 'pending' }),
    });
    if (!isFreeTier) await enqueuePlanSync(trx, updated.id);
    await auditCatalogChange(trx, action, event, planRef(updated), changed);
    return updated;
  });
}

function planRef(plan: Plan) {
  return { plan: plan.code, version: plan.version };
}
