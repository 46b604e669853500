/** admin.credits.*: grants, the ledger check and the credit packs, for admins. */
import { adminAction } from '../../billing/catalog/catalog-admin';
import { adminProcedure, requestMeta, router } from '../../trpc/procedures';
import { ZGrantInput } from '../credits.schemas';
import { ZCreatePackInput, ZPackCodeInput, ZUpdatePackInput } from '../packs/packs.schemas';
import {
  archivePackByCode,
  createPack,
  listAdminPacks,
  updatePackByCode,
} from '../packs/packs-admin';
import { listPackShortfalls } from '../packs/shortfalls';
import { verifyLedger } from '../verify/verify-ledger';
import { grantCredits } from './grant';

export const creditsAdminRouter = router({
  packs: router({
    /** Every pack, archived ones last, with its Stripe ids and sync state. */
    list: adminProcedure.query(({ ctx }) => listAdminPacks(ctx.deps)),
    /** A new pack on sale, synced to Stripe by a job queued in the same transaction. */
    create: adminProcedure
      .input(ZCreatePackInput)
      .mutation(({ ctx, input }) => createPack(ctx.deps, adminAction(ctx), input)),
    /** Change the fields given; a price change makes a new Stripe price, the old one inactive. */
    update: adminProcedure
      .input(ZUpdatePackInput)
      .mutation(({ ctx, input }) => updatePackByCode(ctx.deps, adminAction(ctx), input)),
    /** Off sale; checkouts opened before are still credited. Archiving again is a no-op. */
    archive: adminProcedure
      .input(ZPackCodeInput)
      .mutation(({ ctx, input }) => archivePackByCode(ctx.deps, adminAction(ctx), input.code)),
  }),
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
