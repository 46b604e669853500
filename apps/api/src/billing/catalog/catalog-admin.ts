/**
 * What every admin-edited catalog that Stripe mirrors shares (plans, credit packs): who made
 * a change, how a partial update tells a real change from a repeated value, and how the sync
 * state reads to an admin.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { type AuditEvent, type RequestMeta, recordAuditEvent } from '../../audit/audit';
import { requestMeta } from '../../audit/request-meta';
import type { Context } from '../../trpc/context';

export interface AdminAction {
  adminId: string;
  meta: RequestMeta;
}

/** The admin behind an adminProcedure call, for the audit rows its change writes. */
export function adminAction(ctx: Context & { caller: { user: { id: string } } }): AdminAction {
  return { adminId: ctx.caller.user.id, meta: requestMeta(ctx) };
}

/**
 * The audit row of an admin's catalog change, written in the change's transaction. The item
 * is named by a key such as `plan` or `pack`, never `code`: the audit log drops keys that
 * look like secrets. `changed` lists the columns changed (none on a creation).
 */
export async function auditCatalogChange(
  db: Kysely<Database>,
  action: AdminAction,
  event: AuditEvent,
  item: Record<string, string | number>,
  changed: string[],
): Promise<void> {
  await recordAuditEvent(db, {
    event,
    status: 'success',
    userId: action.adminId,
    meta: action.meta,
    metadata: { ...item, changed: changed.join(',') || null },
  });
}

/** Given and different from what the row has (lists compared by content). */
export function differs<T>(next: T | undefined, current: T): next is T {
  return next !== undefined && JSON.stringify(next) !== JSON.stringify(current);
}

// Spelled out rather than imported from @tollbooth/db: the SDK bundles these public types.
type SyncState = 'local' | 'pending' | 'synced' | 'failed';

export interface SyncView {
  /** local (never in Stripe) | pending | synced | failed (retried by the job queue). */
  state: SyncState;
  syncedVersion: number | null;
  syncedAt: string | null;
  lastError: string | null;
  /** Attempts since the last successful sync. */
  attempts: number;
}

/** The sync bookkeeping columns plans and credit_packs both have. */
export interface SyncColumns {
  sync_state: SyncState;
  synced_version: number | null;
  synced_at: Date | null;
  sync_error: string | null;
  sync_attempts: number;
}

export function toSyncView(row: SyncColumns): SyncView {
  return {
    state: row.sync_state,
    syncedVersion: row.synced_version,
    syncedAt: row.synced_at?.toISOString() ?? null,
    lastError: row.sync_error,
    attempts: row.sync_attempts,
  };
}
