/**
 * Builds the context a handler runs in (stripe-events/context.ts): the event's transaction
 * and its side effects, all inside that transaction. `finish` compares each touched user's
 * access now with what was last announced (access-changed.ts; computed before the first
 * change when nothing was) and records `access.changed` where it differs: at most one row per
 * event and user, only when the result of computeAccess changed.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import { recordAuditEvent } from '../../audit/audit';
import { enqueueJob } from '../../jobs/queue';
import { type Access, sameAccess } from '../access/access';
import { lastAnnouncedAccess, recordAccessChanged } from '../access/access-changed';
import { loadAccess } from '../access/load-access';
import {
  type ApplyContext,
  type ApplyDeps,
  type EventEnvelope,
  lockObject,
} from '../stripe-events/context';

export interface ApplyOptions {
  source: 'webhook' | 'reconcile';
  /** The HTTP request's id (webhook) or the reconciliation run's: audit rows carry it. */
  requestId: string;
}

export function createApplyContext(
  trx: Kysely<Database>,
  deps: ApplyDeps & { stripe: Stripe },
  event: EventEnvelope,
  options: ApplyOptions,
): ApplyContext & { finish(): Promise<void> } {
  const before = new Map<string, Access>();
  return {
    trx,
    deps,
    stripe: deps.stripe,
    event,
    source: options.source,
    async touchUser(userId) {
      if (before.has(userId)) return;
      // Two events of one user (two subscriptions) compare their snapshots one after the other.
      await lockObject(trx, `user:${userId}`);
      before.set(
        userId,
        (await lastAnnouncedAccess(trx, userId)) ?? (await loadAccess(trx, deps, userId)),
      );
    },
    async audit(type, userId, metadata) {
      await recordAuditEvent(trx, {
        event: type,
        status: 'success',
        userId,
        meta: { requestId: options.requestId, ip: null, userAgent: null },
        metadata: { ...metadata, stripeEvent: event.id, via: metadata.via ?? options.source },
      });
    },
    async mail(userId, mail) {
      await enqueueJob(trx, 'send_billing_mail', { userId, mail });
    },
    async finish() {
      for (const [userId, old] of before) {
        const now = await loadAccess(trx, deps, userId);
        if (sameAccess(old, now)) continue;
        await recordAccessChanged(trx, {
          userId,
          old,
          new: now,
          cause: { stripeEvent: event.id, type: event.type },
        });
        await recordAuditEvent(trx, {
          event: 'billing.access_changed',
          status: 'success',
          userId,
          meta: { requestId: options.requestId, ip: null, userAgent: null },
          metadata: {
            from: `${old.level}:${old.plan.code}`,
            to: `${now.level}:${now.plan.code}`,
            stripeEvent: event.id,
          },
        });
      }
    },
  };
}
