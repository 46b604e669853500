import { requestMeta } from '../audit/request-meta';
import { authenticate } from '../auth/authenticate';
import { AppError } from '../errors/app-error';
import { t } from './init';

/** The request facts the audit log records, taken once from the context (`requestMeta(ctx)`). */
export { requestMeta };

export const router = t.router;

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

/** Anyone may call. */
export const publicProcedure = t.procedure.use(timed);

/**
 * A signed-in caller: a valid access token of ours (or, when configured, a NextAuth session
 * token) whose session is live and whose account is active. Adds `ctx.caller`.
 */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const caller = await authenticate(ctx.deps, ctx.http.authorization, requestMeta(ctx));
  return next({ ctx: { caller } });
});

/** A signed-in admin (role from ADMIN_EMAILS or `pnpm admin:promote`). */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.user.role !== 'admin') throw new AppError('FORBIDDEN', 'Admins only');
  return next();
});
