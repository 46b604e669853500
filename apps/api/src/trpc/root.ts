import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { adminRouter } from '../admin/admin.router';
import { authRouter } from '../auth/auth.router';
import { billingRouter } from '../billing/billing.router';
import { creditsRouter } from '../credits/credits.router';
import { systemRouter } from '../system/system.router';
import { usageRouter } from '../usage/usage.router';
import { router } from './procedures';

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  billing: billingRouter,
  credits: creditsRouter,
  usage: usageRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
