import { z } from 'zod';

/**
 * What a key may do. Kept in step with the CHECK on api_keys.scopes (migration 0011).
 * - `usage:write`: record metered usage for a user (usage.record)
 * - `credits:write`: debit a user's credits (credits.debit, credits.use)
 * - `credits:read`: read a user's balance and ledger (credits.balance, credits.history)
 * - `billing:read`: read a user's plan and billing state
 */
export const API_KEY_SCOPES = [
  'usage:write',
  'credits:write',
  'credits:read',
  'billing:read',
] as const;

export const ZApiKeyScope = z.enum(API_KEY_SCOPES);
/** From the list, not from zod: the SDK's bundled types must not need zod. */
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const ZCreateApiKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(ZApiKeyScope)
    .min(1, { error: 'needs at least one scope' })
    .max(API_KEY_SCOPES.length)
    .transform((scopes) => [...new Set(scopes)]),
});
export type TCreateApiKeyInput = z.output<typeof ZCreateApiKeyInput>;

export const ZRevokeApiKeyInput = z.object({ id: z.uuid() });

/** Narrows the stored text[] (the database CHECK admits only these values). */
export function storedScopes(scopes: string[]): ApiKeyScope[] {
  return scopes.filter((scope): scope is ApiKeyScope => ZApiKeyScope.safeParse(scope).success);
}
