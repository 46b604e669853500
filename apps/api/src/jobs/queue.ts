/**
 * Enqueueing background jobs (graphile-worker) inside the caller's transaction.
 *
 * `graphile_worker.add_job` is a plain SQL function, so a job added through the same
 * connection as the change that causes it commits or rolls back with that change: an email
 * is never sent for a registration that rolled back, and never lost for one that committed.
 * Payloads carry ids and addresses only; secrets (tokens, codes) are created by the job
 * itself, so none ever sits in the queue table.
 */
import type { Database } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import type { BillingMailPayload } from '../billing/mail/billing-mail';
import type { CreditsLowPayload } from '../credits/low-balance/low-balance';

/** Every task and its payload; the worker's task list is typed against this. */
export interface JobPayloads {
  send_email_verification: { userId: string };
  send_password_reset: { email: string };
  send_login_code: { email: string };
  send_magic_link: { email: string };
  send_password_changed: { userId: string };
  send_oauth_welcome: { userId: string; provider: string };
  /** verify-first: the link that turns pending registration `registrationId` into an account. */
  send_registration_link: { email: string; registrationId: string };
  /** verify-first: "someone tried to register with your address", to its existing owner. */
  send_registration_attempt: { email: string };
  /** A mailbox proof removed a password set before the address was verified. */
  send_unverified_password_removed: { userId: string };
  /** A debit took user `userId`'s balance below the low-credit threshold (credits/low-balance). */
  send_credits_low_mail: CreditsLowPayload;
  /** Also run by cron, whose payload carries `_cron` details. */
  cleanup_auth_rows: Record<string, unknown>;
  /** Make Stripe match plan `planId` as it is when the job runs (billing/catalog/plan-sync.ts). */
  billing_sync_plan: { planId: string };
  /** Make Stripe match credit pack `code` as it is when the job runs (credits/packs/pack-sync.ts). */
  credits_sync_pack: { code: string };
  /** Push user `userId`'s email and name to their Stripe customer (billing/customers). */
  billing_sync_customer: { userId: string };
  /** A billing mail (billing/mail/billing-mail.ts), queued by the event that caused it. */
  send_billing_mail: BillingMailPayload;
  /** Stripe events we never received, overdue subscriptions (billing/reconcile); also cron. */
  billing_reconcile: Record<string, unknown>;
  /** Bill `overage` usage record `recordId` as a Stripe invoice item (usage/push-overage-item). */
  usage_push_overage: { recordId: string };
}

export type JobName = keyof JobPayloads;

/**
 * Mail that is not out after this many tries (graphile-worker backs off exponentially,
 * about 1.5 hours in total) is not worth sending: codes and links have expired by then.
 */
const DEFAULT_MAX_ATTEMPTS = 8;

export async function enqueueJob<Name extends JobName>(
  db: Kysely<Database>,
  name: Name,
  payload: JobPayloads[Name],
  options: {
    maxAttempts?: number;
    /** One queued job per key: adding again replaces it (a running one gets a successor). */
    jobKey?: string;
    /** Jobs of one named queue run one at a time, in order. */
    queueName?: string;
  } = {},
): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${name}::text,
    ${JSON.stringify(payload)}::json,
    max_attempts => ${options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS}::int,
    job_key => ${options.jobKey ?? null}::text,
    queue_name => ${options.queueName ?? null}::text
  )`.execute(db);
}
