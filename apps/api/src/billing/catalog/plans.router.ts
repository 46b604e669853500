/**
 * billing.plans.*: the catalog. Reading is public and needs no Stripe; changing it is for
 * admins and needs Stripe configured (BILLING_DISABLED otherwise), since every change is
 * synced there.
 */
import { adminProcedure, publicProcedure, router } from '../../trpc/procedures';
import { adminAction } from './catalog-admin';
import {
  ZArchivePlanInput,
  ZCreatePlanInput,
  ZPlanCodeInput,
  ZUpdatePlanInput,
} from './plans.schemas';
import {
  archivePlanByCode,
  createPlan,
  getPublicPlan,
  listAdminPlans,
  listPublicPlans,
  resyncPlanByCode,
  updatePlanByCode,
} from './plans.service';

export const plansRouter = router({
  /** Active plans in display order, with prices, allowances and entitlements. */
  list: publicProcedure.query(({ ctx }) => listPublicPlans(ctx.deps)),
  /** One plan by code, archived ones included (subscribers still on it read it here). */
  get: publicProcedure
    .input(ZPlanCodeInput)
    .query(({ ctx, input }) => getPublicPlan(ctx.deps, input.code)),
  /** Admin: every plan with its Stripe ids, sync state and price history. */
  adminList: adminProcedure.query(({ ctx }) => listAdminPlans(ctx.deps)),
  /** Admin: a new plan, synced to Stripe by a job queued in the same transaction. */
  create: adminProcedure
    .input(ZCreatePlanInput)
    .mutation(({ ctx, input }) => createPlan(ctx.deps, adminAction(ctx), input)),
  /** Admin: change the fields given; a price change makes a new Stripe price. */
  update: adminProcedure
    .input(ZUpdatePlanInput)
    .mutation(({ ctx, input }) => updatePlanByCode(ctx.deps, adminAction(ctx), input)),
  /** Admin: no new subscriptions; existing subscribers keep it, and it stays readable. */
  archive: adminProcedure
    .input(ZArchivePlanInput)
    .mutation(({ ctx, input }) => archivePlanByCode(ctx.deps, adminAction(ctx), input.code)),
  /** Admin: queue a sync of an unchanged plan (e.g. after one ran out of retries). */
  resync: adminProcedure
    .input(ZPlanCodeInput)
    .mutation(({ ctx, input }) => resyncPlanByCode(ctx.deps, input.code)),
});
