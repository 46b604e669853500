/**
 * A user's sessions: listing them, ending the current one (logout) and revoking others.
 */
import { type RequestMeta, recordAuditEvent } from '../../audit/audit';
import type { Deps } from '../../deps';
import { listLiveSessions, revokeSession, revokeUserSessions } from './sessions.queries';

export async function endSession(
  deps: Pick<Deps, 'db' | 'clock'>,
  args: { userId: string; sessionId: string; meta: RequestMeta },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await revokeSession(trx, {
      sessionId: args.sessionId,
      userId: args.userId,
      at: deps.clock.now(),
      reason: 'logout',
    });
    await recordAuditEvent(trx, {
      event: 'auth.logout',
      status: 'success',
      userId: args.userId,
      meta: args.meta,
      metadata: { sessionId: args.sessionId },
    });
  });
}

export interface SessionView {
  id: string;
  method: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

export async function listSessions(
  deps: Pick<Deps, 'db' | 'clock'>,
  args: { userId: string; currentSessionId: string | null },
): Promise<SessionView[]> {
  const rows = await listLiveSessions(deps.db, args.userId, deps.clock.now());
  return rows.map((row) => ({
    id: row.id,
    method: row.method,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at.toISOString(),
    current: row.id === args.currentSessionId,
  }));
}

/** Revokes one session of the caller's, or all but the current one; returns how many. */
export async function revokeSessions(
  deps: Pick<Deps, 'db' | 'clock'>,
  args: {
    userId: string;
    currentSessionId: string | null;
    target: { sessionId: string } | { allButCurrent: true };
    meta: RequestMeta;
  },
): Promise<{ revoked: number }> {
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const revoked =
      'sessionId' in args.target
        ? Number(
            await revokeSession(trx, {
              sessionId: args.target.sessionId,
              userId: args.userId,
              at,
              reason: 'revoked_by_user',
            }),
          )
        : await revokeUserSessions(trx, {
            userId: args.userId,
            at,
            reason: 'revoked_by_user',
            keepSessionId: args.currentSessionId,
          });
    await recordAuditEvent(trx, {
      event: 'auth.sessions_revoked',
      status: 'success',
      userId: args.userId,
      meta: args.meta,
      metadata: { revoked, scope: 'sessionId' in args.target ? 'one' : 'others' },
    });
    return { revoked };
  });
}
