/**
 * billing.summary: the user's own token, or a server API key with `billing:read` naming the
 * user in `userId` (a product's backend showing a billing page). Built from local state only:
 * summary.ts.
 */
import { z } from 'zod';
import { actingFor } from '../../api-keys/acting-for';
import { ZUserId } from '../../lib/input-schemas';
import { userOrServerProcedure } from '../../trpc/procedures';
import { billingSummary } from './summary';

const ZSummaryInput = z.object({ userId: ZUserId.optional() }).optional();

/** Plan, period, operations used / included, overage so far, credit balance, next invoice. */
export const summaryProcedure = userOrServerProcedure('billing:read')
  .input(ZSummaryInput)
  .query(async ({ ctx, input }) => {
    const subject = await actingFor(ctx.deps, ctx.actor, input?.userId);
    return billingSummary(ctx.deps, subject.userId);
  });
