/**
 * credits.*: an account's prepaid credits. Each procedure takes the user's own token, or a
 * server API key with the scope named (credits:read to read, credits:write to debit) and the
 * user's id in `userId`. Rules and guarantees: ADR 0008 and debit/debit.ts.
 */
import { actingFor } from '../api-keys/acting-for';
import {
  protectedProcedure,
  publicProcedure,
  router,
  userOrServerProcedure,
} from '../trpc/procedures';
import {
  historyQuery,
  ZBalanceInput,
  ZDebitInput,
  ZHistoryInput,
  ZPackCheckoutInput,
  ZUseInput,
} from './credits.schemas';
import { debitCredits } from './debit/debit';
import { getBalance, getHistory } from './history/history';
import { createPackCheckout, listPacks } from './packs/pack-checkout';

export const creditsRouter = router({
  packs: router({
    /** The credit packs on sale (public: a pricing page shows them before sign-in). */
    list: publicProcedure.query(({ ctx }) => listPacks(ctx.deps)),
  }),
  checkout: router({
    /**
     * A hosted Stripe checkout (payment mode) for one pack; send the browser to `url`. The
     * credits land when Stripe's checkout.session.completed arrives, once per session.
     */
    create: protectedProcedure
      .input(ZPackCheckoutInput)
      .mutation(({ ctx, input }) => createPackCheckout(ctx.deps, ctx.caller.user.id, input)),
  }),
  /** The balance now. */
  balance: userOrServerProcedure('credits:read')
    .input(ZBalanceInput)
    .query(async ({ ctx, input }) => {
      const subject = await actingFor(ctx.deps, ctx.actor, input?.userId);
      return getBalance(ctx.deps, subject.userId);
    }),
  /** The ledger, newest first: `cursor` pages back; filter by `kinds` and a `from`/`to` window. */
  history: userOrServerProcedure('credits:read')
    .input(ZHistoryInput)
    .query(async ({ ctx, input }) => {
      const subject = await actingFor(ctx.deps, ctx.actor, input?.userId);
      return getHistory(ctx.deps, subject.userId, historyQuery(input));
    }),
  /**
   * Takes `amount` credits, once per `idempotencyKey` (a replay answers as the first time).
   * PAYMENT_REQUIRED / INSUFFICIENT_CREDITS when the balance is short.
   */
  debit: userOrServerProcedure('credits:write')
    .input(ZDebitInput)
    .mutation(async ({ ctx, input }) => {
      const subject = await actingFor(ctx.deps, ctx.actor, input.userId);
      return debitCredits(ctx.deps, {
        userId: subject.userId,
        amount: input.amount,
        idempotencyKey: input.idempotencyKey,
        reason: input.reason ?? null,
        metadata: input.metadata ?? {},
      });
    }),
  /** The seed's `use-credits`: credits.debit with `units` as the amount and `ref` as the key. */
  use: userOrServerProcedure('credits:write')
    .input(ZUseInput)
    .mutation(async ({ ctx, input }) => {
      const subject = await actingFor(ctx.deps, ctx.actor, input.userId);
      return debitCredits(ctx.deps, {
        userId: subject.userId,
        amount: input.units,
        idempotencyKey: input.ref,
        reason: null,
        metadata: {},
        keyField: 'ref',
      });
    }),
});
