/**
 * The audit trail of security-relevant events. One row per event with who (user id, when
 * known), from where (request id, ip, user agent) and what (event type, outcome, a small
 * metadata object). Never secrets: callers pass ids, emails and reasons, never passwords,
 * tokens or codes; `safeMetadata` drops any key that looks like one, as a second line.
 */
import type { Database, Json } from '@tollbooth/db';
import type { Kysely } from 'kysely';

export const AUDIT_EVENTS = [
  'auth.register',
  /** verify-first: a registration was asked for (metadata.outcome: pending | account_exists). */
  'auth.register_requested',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.refresh_reuse_detected',
  'auth.password_changed',
  'auth.password_reset',
  'auth.password_reset_requested',
  'auth.email_verified',
  'auth.login_code_failed',
  'auth.oauth_linked',
  'auth.oauth_exchange_refused',
  'auth.deactivated',
  'auth.sessions_revoked',
  'auth.rate_limited',
  'auth.role_changed',
  'auth.admin_promoted',
  'auth.unverified_password_removed',
  'auth.nextauth_account_created',
  /** An admin changed the plan catalog (metadata: plan, version, changed fields). */
  'billing.plan_created',
  'billing.plan_updated',
  'billing.plan_archived',
  /** An admin made a server API key (metadata: keyId, prefix, name, scopes). */
  'api_keys.created',
  /** The first request that authenticated with the key (metadata: keyId, prefix). */
  'api_keys.first_used',
  'api_keys.revoked',
  /** admin.credits.grant (userId: the admin; metadata: creditedUserId, amount, reason, entryId). */
  'credits.granted',
  /** An admin changed the credit packs (metadata: pack, version, changed fields). */
  'credits.pack_created',
  'credits.pack_updated',
  'credits.pack_archived',
  /** An admin changed the operation types (metadata: operation, changed fields). */
  'usage.operation_type_created',
  'usage.operation_type_updated',
  'usage.operation_type_deactivated',
  /** A refund of a credit pack could not take back credits already spent: the shortfall. */
  'credits.reversal_shortfall',
  /**
   * Applied from Stripe (webhook or reconciliation; metadata.via, metadata.stripeEvent): a
   * subscription's lifecycle, invoices, refunds, the customer link, dashboard catalog changes,
   * and every change of a user's access (billing.access_changed, beside the domain event).
   */
  'billing.subscription_started',
  'billing.subscription_plan_changed',
  'billing.subscription_cancel_scheduled',
  'billing.subscription_resumed',
  'billing.subscription_change_scheduled',
  'billing.subscription_status_changed',
  'billing.subscription_ended',
  'billing.invoice_paid',
  'billing.invoice_payment_failed',
  'billing.refund_recorded',
  'billing.customer_linked',
  'billing.plan_price_changed',
  'billing.access_changed',
] as const;

export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export interface RequestMeta {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEntryInput {
  event: AuditEvent;
  status: 'success' | 'failure';
  userId?: string | null;
  meta: RequestMeta;
  metadata?: Record<string, string | number | boolean | null>;
}

const SECRET_KEY = /password|token|secret|code|hash|cookie|authorization/i;

function safeMetadata(metadata: AuditEntryInput['metadata'] = {}): Json {
  return Object.fromEntries(Object.entries(metadata).filter(([key]) => !SECRET_KEY.test(key)));
}

const MAX_USER_AGENT_LENGTH = 512;

export async function recordAuditEvent(db: Kysely<Database>, entry: AuditEntryInput) {
  await db
    .insertInto('audit_log')
    .values({
      event_type: entry.event,
      // The domain that recorded it: the event's prefix (auth, billing).
      source: entry.event.slice(0, entry.event.indexOf('.')),
      status: entry.status,
      user_id: entry.userId ?? null,
      request_id: entry.meta.requestId,
      ip: entry.meta.ip,
      user_agent: entry.meta.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
      metadata: safeMetadata(entry.metadata),
    })
    .execute();
}
