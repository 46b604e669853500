import type { Actor } from '../api-keys/acting-for';
import { looksLikeApiKey } from '../api-keys/api-key-secret';
import type { ApiKeyScope } from '../api-keys/api-keys.schemas';
import { authenticateApiKey, requireScope } from '../api-keys/authenticate-api-key';
import { requestMeta } from '../audit/request-meta';
import { authenticate, bearerToken } from '../auth/authenticate';
import { AppError } from '../errors/app-error';
import type { Context } from './context';
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

/** One scope, or several of which the key must hold at least one (reads open to two roles). */
type ScopeRule = ApiKeyScope | readonly [ApiKeyScope, ...ApiKeyScope[]];

/** A server API key from the Authorization header, verified and holding `scope`. */
async function authorizedApiKey(ctx: Context, key: string, scope: ScopeRule) {
  const apiKey = await authenticateApiKey(ctx.deps, key, requestMeta(ctx));
  if (typeof scope === 'string') requireScope(apiKey, scope);
  else if (!scope.some((one) => apiKey.scopes.includes(one))) requireScope(apiKey, scope[0]);
  return apiKey;
}

/**
 * A procedure the product's backend may call too: a signed-in user acting for themselves
 * (as protectedProcedure), or a server API key (`Bearer tb_sk_…`) holding `scope`, acting for
 * the user its input names (resolve that with `actingFor`). Adds `ctx.actor`.
 */
export function userOrServerProcedure(scope: ScopeRule) {
  return publicProcedure.use(async ({ ctx, next }) => {
    const token = bearerToken(ctx.http.authorization);
    const actor: Actor =
      token && looksLikeApiKey(token)
        ? { kind: 'server', apiKey: await authorizedApiKey(ctx, token, scope) }
        : {
            kind: 'user',
            caller: await authenticate(ctx.deps, ctx.http.authorization, requestMeta(ctx)),
          };
    return next({ ctx: { actor } });
  });
}

/** For the product's backend only: a server API key holding `scope`. Adds `ctx.apiKey`. */
export function serverProcedure(scope: ApiKeyScope) {
  return publicProcedure.use(async ({ ctx, next }) => {
    const token = bearerToken(ctx.http.authorization);
    if (!token) {
      throw new AppError('UNAUTHENTICATED', 'Send a server API key: Authorization: Bearer tb_sk_…');
    }
    if (!looksLikeApiKey(token)) {
      throw new AppError(
        'API_KEY_REQUIRED',
        "Only the product's backend calls this, with a server API key",
      );
    }
    return next({ ctx: { apiKey: await authorizedApiKey(ctx, token, scope) } });
  });
}
