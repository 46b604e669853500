import { t } from './init';

export const router = t.router;
export const middleware = t.middleware;

/** Records each call's latency by procedure name (bounded: only real procedures get here). */
const timed = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  const result = await next();
  ctx.deps.metrics.observeProcedure(
    { procedure: path, type, ok: result.ok },
    (performance.now() - started) / 1000,
  );
  return result;
});

/** Anyone may call. Auth guards (authedProcedure, adminProcedure) build on this. */
export const publicProcedure = t.procedure.use(timed);
