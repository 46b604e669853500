/** admin.usage.*: operation types, for admins (rules: operation-types-admin.ts). */
import { adminAction } from '../billing/catalog/catalog-admin';
import { adminProcedure, router } from '../trpc/procedures';
import {
  createOperationType,
  deactivateOperationType,
  listAllOperationTypes,
  updateOperationType,
} from './operation-types-admin';
import {
  ZCreateOperationTypeInput,
  ZOperationTypeCodeInput,
  ZUpdateOperationTypeInput,
} from './usage.schemas';

export const usageAdminRouter = router({
  operationTypes: router({
    /** Every type, deactivated ones too. */
    list: adminProcedure.query(({ ctx }) => listAllOperationTypes(ctx.deps)),
    /** A new type; OPERATION_TYPE_CODE_TAKEN when the code exists. Audited. */
    create: adminProcedure
      .input(ZCreateOperationTypeInput)
      .mutation(({ ctx, input }) => createOperationType(ctx.deps, adminAction(ctx), input)),
    /** Changes the fields given (a new unit cost applies to later records). Audited. */
    update: adminProcedure
      .input(ZUpdateOperationTypeInput)
      .mutation(({ ctx, input }) => updateOperationType(ctx.deps, adminAction(ctx), input)),
    /** Hidden from usage.operationTypes, refused by usage.record; records keep it. Audited. */
    deactivate: adminProcedure
      .input(ZOperationTypeCodeInput)
      .mutation(({ ctx, input }) =>
        deactivateOperationType(ctx.deps, adminAction(ctx), input.code),
      ),
  }),
});
