/** admin.usage.*: operation types, for admins. */
import { adminProcedure, router } from '../trpc/procedures';
import { upsertOperationType } from './operation-types';
import { ZUpsertOperationTypeInput } from './usage.schemas';

export const usageAdminRouter = router({
  operationTypes: router({
    /** Creates or replaces a type by code; `active: false` hides it and refuses new records. */
    upsert: adminProcedure
      .input(ZUpsertOperationTypeInput)
      .mutation(({ ctx, input }) => upsertOperationType(ctx.deps.db, input)),
  }),
});
