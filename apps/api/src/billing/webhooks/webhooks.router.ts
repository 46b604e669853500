/**
 * billing.webhooks.* (admin): the Stripe events that could not be applied (a body Stripe
 * would not send, an object it does not have), each with the reason, newest first; and a
 * retry for one of them once the cause is fixed (it goes through the webhook's own path).
 */
import { z } from 'zod';
import { adminProcedure, router } from '../../trpc/procedures';
import { listFailedStripeEvents, retryFailedStripeEvent } from './failed-events.service';

const ZCursor = z.object({
  receivedAt: z.iso.datetime({ offset: true, error: 'must be an ISO date-time' }),
  id: z.string().max(255),
});

export const webhooksRouter = router({
  /** Admin: failed events, newest first; pass the previous page's `nextCursor` for more. */
  failed: adminProcedure
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(100).default(50),
          cursor: ZCursor.nullish(),
        })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => listFailedStripeEvents(ctx.deps, input)),
  /** Admin: applies a failed event again from its stored body (the outcome is returned). */
  retry: adminProcedure
    .input(
      z.object({ id: z.string().regex(/^evt_[A-Za-z0-9_]+$/, { error: 'must be an event id' }) }),
    )
    .mutation(({ ctx, input }) => retryFailedStripeEvent(ctx.deps, input.id, ctx.requestId)),
});
