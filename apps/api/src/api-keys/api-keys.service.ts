/**
 * admin.apiKeys.*: making, listing and revoking the product's server API keys. Each change
 * commits with its audit row. The full key leaves the server once, in create's answer.
 */
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { displayPrefix, generateApiKey } from './api-key-secret';
import { type ApiKeyRow, insertApiKey, listApiKeys, revokeApiKey } from './api-keys.queries';
import { type ApiKeyScope, storedScopes, type TCreateApiKeyInput } from './api-keys.schemas';

export interface AdminActor {
  adminId: string;
  meta: RequestMeta;
}

/** A key as admins see it: never the secret, only the prefix it starts with. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  firstUsedAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function toView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: displayPrefix(row.lookup),
    scopes: storedScopes(row.scopes),
    createdAt: row.created_at,
    firstUsedAt: row.first_used_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function createApiKey(
  deps: Pick<Deps, 'db' | 'random' | 'clock'>,
  actor: AdminActor,
  input: TCreateApiKeyInput,
): Promise<ApiKeyView & { key: string }> {
  const generated = generateApiKey(deps.random);
  const row = await deps.db.transaction().execute(async (trx) => {
    const inserted = await insertApiKey(trx, {
      name: input.name,
      lookup: generated.lookup,
      key_hash: generated.hash,
      scopes: input.scopes,
      created_by: actor.adminId,
      created_at: deps.clock.now(),
    });
    await recordAuditEvent(trx, {
      event: 'api_keys.created',
      status: 'success',
      userId: actor.adminId,
      meta: actor.meta,
      metadata: {
        keyId: inserted.id,
        prefix: displayPrefix(inserted.lookup),
        name: inserted.name,
        scopes: inserted.scopes.join(' '),
      },
    });
    return inserted;
  });
  return { ...toView(row), key: generated.key };
}

export async function listApiKeyViews(deps: Pick<Deps, 'db'>): Promise<ApiKeyView[]> {
  return (await listApiKeys(deps.db)).map(toView);
}

/** Revoking a revoked key changes nothing and answers as the first revocation did. */
export async function revokeApiKeyById(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: AdminActor,
  id: string,
): Promise<ApiKeyView> {
  const revoked = await deps.db.transaction().execute(async (trx) => {
    const result = await revokeApiKey(trx, { id, by: actor.adminId, at: deps.clock.now() });
    if (result?.changed) {
      await recordAuditEvent(trx, {
        event: 'api_keys.revoked',
        status: 'success',
        userId: actor.adminId,
        meta: actor.meta,
        metadata: {
          keyId: result.row.id,
          prefix: displayPrefix(result.row.lookup),
          name: result.row.name,
        },
      });
    }
    return result?.row;
  });
  if (!revoked) throw new AppError('API_KEY_NOT_FOUND', 'No API key with that id');
  return toView(revoked);
}
