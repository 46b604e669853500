/**
 * The billing procedures a signed-in user calls for themselves (transport only: zod input,
 * the guard, the service). Everything that needs Stripe answers BILLING_DISABLED when it is
 * not configured; the mirror reads (access, subscription.current, invoices, history) work
 * without it.
 */
import { protectedProcedure, router } from '../../trpc/procedures';
import { loadQuota, quotaView } from '../../usage/usage-quota';
import { accessJson } from '../access/access';
import { loadAccess } from '../access/load-access';
import { createCheckout } from './checkout.service';
import {
  pageOf,
  ZChangePlanInput,
  ZCheckoutInput,
  ZPageInput,
  ZPortalInput,
} from './journey.schemas';
import { changePlan } from './plan-change.service';
import { createPortalSession } from './portal.service';
import { listInvoices, listMoneyHistory, listPaymentMethods } from './statements.service';
import {
  cancelSubscription,
  currentSubscription,
  resumeSubscription,
} from './subscription.service';

export const journeyRouters = {
  /**
   * What the user may do now: level, plan, entitlements, included operations, until when;
   * and `quota`, the included operations used and left in the current usage period.
   */
  access: protectedProcedure.query(async ({ ctx }) => {
    const userId = ctx.caller.user.id;
    const access = await loadAccess(ctx.deps.db, ctx.deps, userId);
    const quota = await loadQuota(ctx.deps.db, ctx.deps, userId, access);
    return { ...accessJson(access), quota: quotaView(quota) };
  }),
  checkout: router({
    /** A hosted checkout page for a plan; ALREADY_SUBSCRIBED when one is live. */
    create: protectedProcedure
      .input(ZCheckoutInput)
      .mutation(({ ctx, input }) => createCheckout(ctx.deps, ctx.caller.user.id, input)),
  }),
  subscription: router({
    /** The live subscription (plan, status, period, pending change), or null. */
    current: protectedProcedure.query(({ ctx }) =>
      currentSubscription(ctx.deps, ctx.caller.user.id),
    ),
    /** Upgrade now (prorated, invoiced now) or downgrade at the end of the paid period. */
    change: protectedProcedure
      .input(ZChangePlanInput)
      .mutation(({ ctx, input }) => changePlan(ctx.deps, ctx.caller.user.id, input)),
    /** Ends at the end of the paid period; access stays until then. */
    cancel: protectedProcedure.mutation(({ ctx }) =>
      cancelSubscription(ctx.deps, ctx.caller.user.id),
    ),
    /** Undoes a scheduled cancel (SUBSCRIPTION_ENDED once it has ended). */
    resume: protectedProcedure.mutation(({ ctx }) =>
      resumeSubscription(ctx.deps, ctx.caller.user.id),
    ),
  }),
  portal: router({
    /** A Stripe billing portal session; returns to `returnUrl` (checked) or APP_URL/billing. */
    create: protectedProcedure
      .input(ZPortalInput)
      .mutation(({ ctx, input }) => createPortalSession(ctx.deps, ctx.caller.user.id, input)),
  }),
  invoices: router({
    /** The user's invoices, newest first, from the mirror. */
    list: protectedProcedure
      .input(ZPageInput)
      .query(({ ctx, input }) => listInvoices(ctx.deps, ctx.caller.user.id, pageOf(input))),
  }),
  paymentMethods: router({
    /** The customer's cards in Stripe, with the one renewals are charged to. */
    list: protectedProcedure.query(({ ctx }) => listPaymentMethods(ctx.deps, ctx.caller.user.id)),
  }),
  /** Money events (invoices paid or failed, refunds), newest first. */
  history: protectedProcedure
    .input(ZPageInput)
    .query(({ ctx, input }) => listMoneyHistory(ctx.deps, ctx.caller.user.id, pageOf(input))),
};
