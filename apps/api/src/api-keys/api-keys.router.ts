/** admin.apiKeys.*: the product's server API keys (the full key is shown once, by create). */
import { adminProcedure, requestMeta, router } from '../trpc/procedures';
import { ZCreateApiKeyInput, ZRevokeApiKeyInput } from './api-keys.schemas';
import { createApiKey, listApiKeyViews, revokeApiKeyById } from './api-keys.service';

export const apiKeysRouter = router({
  /** A new key with `scopes`; the answer's `key` is the only time the secret is shown. */
  create: adminProcedure
    .input(ZCreateApiKeyInput)
    .mutation(({ ctx, input }) =>
      createApiKey(ctx.deps, { adminId: ctx.caller.user.id, meta: requestMeta(ctx) }, input),
    ),
  /** Every key, newest first, by prefix (`tb_sk_<lookup>`), revoked ones included. */
  list: adminProcedure.query(({ ctx }) => listApiKeyViews(ctx.deps)),
  /** Stops the key at once, in every server process. Revoking twice changes nothing. */
  revoke: adminProcedure
    .input(ZRevokeApiKeyInput)
    .mutation(({ ctx, input }) =>
      revokeApiKeyById(ctx.deps, { adminId: ctx.caller.user.id, meta: requestMeta(ctx) }, input.id),
    ),
});
