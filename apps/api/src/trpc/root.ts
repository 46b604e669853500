import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { authRouter } from '../auth/auth.router';
import { billingRouter } from '../billing/billing.router';
import { systemRouter } from '../system/system.router';
import { router } from './procedures';

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  billing: billingRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
