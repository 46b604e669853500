/**
 * usage.*: metered operations. Recording is for the product's backend only (a server API key
 * with `usage:write` naming the user), so a user cannot skip or forge their own metering.
 * Reads take the user's own token, or a key with `usage:write` or `billing:read` naming the
 * user. Rules: record-usage.ts.
 */
import { actingFor } from '../api-keys/acting-for';
import { router, serverProcedure, userOrServerProcedure } from '../trpc/procedures';
import { listActiveOperationTypes } from './operation-types';
import { recordUsage } from './record-usage';
import {
  ZGetInput,
  ZListInput,
  ZOperationTypesInput,
  ZRecordInput,
  ZStatsInput,
} from './usage.schemas';
import { getUsage, listUsage, usageStats } from './usage-reads';

const readers = ['usage:write', 'billing:read'] as const;

export const usageRouter = router({
  /** The active operation types, with their unit cost in credits. */
  operationTypes: userOrServerProcedure(readers)
    .input(ZOperationTypesInput)
    .query(({ ctx }) => listActiveOperationTypes(ctx.deps.db)),
  /**
   * Meters `quantity` (default 1) of `operation` for `userId`, once per `idempotencyKey`:
   * included operations first, then the plan's overage mode. Answers `outcome` and what is left.
   */
  record: serverProcedure('usage:write')
    .input(ZRecordInput)
    .mutation(async ({ ctx, input }) => {
      const subject = await actingFor(
        ctx.deps,
        { kind: 'server', apiKey: ctx.apiKey },
        input.userId,
      );
      return recordUsage(ctx.deps, { ...input, userId: subject.userId });
    }),
  /** Records newest first: `cursor` pages back; filter by `operation` and a `from`/`to` window. */
  list: userOrServerProcedure(readers)
    .input(ZListInput)
    .query(async ({ ctx, input }) => {
      const subject = await actingFor(ctx.deps, ctx.actor, input?.userId);
      return listUsage(ctx.deps, subject.userId, {
        cursor: input?.cursor,
        limit: input?.limit ?? 50,
        operation: input?.operation,
        from: input?.from,
        to: input?.to,
      });
    }),
  get: userOrServerProcedure(readers)
    .input(ZGetInput)
    .query(async ({ ctx, input }) => {
      const subject = await actingFor(ctx.deps, ctx.actor, input.userId);
      return getUsage(ctx.deps, subject.userId, input.id);
    }),
  /** Counts and credits spent over [from, to), per UTC day or per operation. */
  stats: userOrServerProcedure(readers)
    .input(ZStatsInput)
    .query(async ({ ctx, input }) => {
      const subject = await actingFor(ctx.deps, ctx.actor, input.userId);
      return usageStats(ctx.deps, subject.userId, input);
    }),
});
