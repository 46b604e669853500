import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { systemRouter } from '../system/system.router';
import { router } from './procedures';

export const appRouter = router({
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
