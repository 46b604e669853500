/**
 * Who is calling with `Authorization: Bearer tb_sk_…`: the product's backend, through one of
 * its keys. Every request reads the key's row (no cache: requests arriving together share one
 * query that starts after each of them asked, lib/fresh-batch-loader.ts), so a revoked key is
 * refused by every process from the moment the revocation commits. The first
 * request with a key records `first_used_at` and an audit row, exactly once even when many
 * arrive together (a conditional UPDATE decides which one it was).
 */
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { FreshBatchLoader, loaderPerOwner } from '../lib/fresh-batch-loader';
import { apiKeyMatches, displayPrefix, parseApiKey } from './api-key-secret';
import { findApiKeysByLookups, markFirstUse, touchLastUsed } from './api-keys.queries';
import { type ApiKeyScope, storedScopes } from './api-keys.schemas';

/** last_used_at is a hint for admins, not a log: one write a minute per key is plenty. */
const LAST_USED_RESOLUTION_MS = 60_000;

const keyRows = loaderPerOwner(
  (db: Deps['db']) =>
    new FreshBatchLoader((lookups: string[]) => findApiKeysByLookups(db, lookups)),
);

export interface ApiKeyCaller {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
}

export async function authenticateApiKey(
  deps: Pick<Deps, 'db' | 'clock'>,
  key: string,
  meta: RequestMeta,
): Promise<ApiKeyCaller> {
  const parsed = parseApiKey(key);
  const row = parsed ? await keyRows(deps.db).load(parsed.lookup) : undefined;
  if (!row || !apiKeyMatches(key, row.key_hash)) {
    throw new AppError('INVALID_API_KEY', 'The API key is not valid');
  }
  if (row.revoked_at) throw new AppError('API_KEY_REVOKED', 'The API key was revoked');
  const now = deps.clock.now();
  const caller = {
    id: row.id,
    name: row.name,
    prefix: displayPrefix(row.lookup),
    scopes: storedScopes(row.scopes),
  };
  if (!row.first_used_at) await recordFirstUse(deps, caller, now, meta);
  else if (
    !row.last_used_at ||
    now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS
  ) {
    await touchLastUsed(deps.db, {
      id: row.id,
      at: now,
      staleBefore: new Date(now.getTime() - LAST_USED_RESOLUTION_MS),
    });
  }
  return caller;
}

async function recordFirstUse(
  deps: Pick<Deps, 'db'>,
  caller: ApiKeyCaller,
  at: Date,
  meta: RequestMeta,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await markFirstUse(trx, { id: caller.id, at }))) return;
    await recordAuditEvent(trx, {
      event: 'api_keys.first_used',
      status: 'success',
      meta,
      metadata: { keyId: caller.id, prefix: caller.prefix, name: caller.name },
    });
  });
}

/** 403 unless the key carries `scope`. */
export function requireScope(caller: ApiKeyCaller, scope: ApiKeyScope): void {
  if (!caller.scopes.includes(scope)) {
    throw new AppError('INSUFFICIENT_SCOPE', `This API key lacks the ${scope} scope`, {
      details: { requiredScope: scope },
    });
  }
}
