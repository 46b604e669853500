/** admin.credits.*: grants and the ledger check, for admins. */
import { adminProcedure, requestMeta, router } from '../../trpc/procedures';
import { ZGrantInput } from '../credits.schemas';
import { listPackShortfalls } from '../packs/shortfalls';
import { verifyLedger } from '../verify/verify-ledger';
import { grantCredits } from './grant';

export const creditsAdminRouter = router({
  /** Credits `amount` to `userId`, once per `idempotencyKey`; audited. */
  grant: adminProcedure
    .input(ZGrantInput)
    .mutation(({ ctx, input }) =>
      grantCredits(ctx.deps, { adminId: ctx.caller.user.id, meta: requestMeta(ctx) }, input),
    ),
  /** What `pnpm credits:verify` checks: every ledger sum equals its balance, every chain holds. */
  verify: adminProcedure.query(({ ctx }) => verifyLedger(ctx.deps)),
  /**
   * Pack refunds that could not take back every credit (they were spent): newest first, with
   * what was reversed and what is short. The balance stayed at or above zero.
   */
  shortfalls: adminProcedure.query(({ ctx }) => listPackShortfalls(ctx.deps)),
});
