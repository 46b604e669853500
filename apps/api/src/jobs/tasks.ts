/**
 * What the worker runs: each task checks its payload (the queue table is not trusted
 * blindly) and hands it to the domain that owns the work. A task that throws is retried by
 * graphile-worker with exponential backoff.
 */
import type { Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import { sendAuthMail } from '../auth/mail/auth-mail';
import { deleteExpiredAuthRows } from '../auth/secrets/secrets.queries';
import { syncPlan } from '../billing/catalog/plan-sync';
import { syncStripeCustomer } from '../billing/customers/stripe-customer';
import { sendBillingMail, ZBillingMailPayload } from '../billing/mail/billing-mail';
import { reconcileBilling } from '../billing/reconcile/reconcile';
import { sendCreditsLowMail, ZCreditsLowPayload } from '../credits/low-balance/low-balance-mail';
import { syncPack } from '../credits/packs/pack-sync';
import type { Deps } from '../deps';
import { pushOverageItem } from '../usage/push-overage-item';
import type { JobName } from './queue';

export type TaskDeps = Pick<
  Deps,
  'db' | 'mailer' | 'clock' | 'random' | 'config' | 'logger' | 'serverKeys' | 'stripe' | 'metrics'
>;

const ZUserPayload = z.object({ userId: z.uuid() });
const ZEmailPayload = z.object({ email: z.string().min(3).max(320) });
const ZOveragePayload = z.object({ recordId: z.string().regex(/^[1-9][0-9]{0,14}$/) });

/** A task whose payload is checked at run time. */
function task<Payload>(schema: z.ZodType<Payload>, run: (payload: Payload) => Promise<void>): Task {
  return async (payload) => run(schema.parse(payload));
}

export function createTaskList(deps: TaskDeps): TaskList {
  // Each payload schema matches its entry in JobPayloads (checked by `satisfies` below).
  const tasks = {
    send_email_verification: task(ZUserPayload, (to) =>
      sendAuthMail(deps, to, { kind: 'email_verification' }),
    ),
    send_password_reset: task(ZEmailPayload, (to) =>
      sendAuthMail(deps, to, { kind: 'password_reset' }),
    ),
    send_login_code: task(ZEmailPayload, (to) => sendAuthMail(deps, to, { kind: 'login_code' })),
    send_magic_link: task(ZEmailPayload, (to) => sendAuthMail(deps, to, { kind: 'magic_link' })),
    send_password_changed: task(ZUserPayload, (to) =>
      sendAuthMail(deps, to, { kind: 'password_changed' }),
    ),
    send_oauth_welcome: task(
      z.object({ userId: z.uuid(), provider: z.string().min(1).max(32) }),
      ({ userId, provider }) => sendAuthMail(deps, { userId }, { kind: 'oauth_welcome', provider }),
    ),
    send_registration_link: task(
      z.object({ email: z.string().min(3).max(320), registrationId: z.uuid() }),
      ({ email, registrationId }) =>
        sendAuthMail(deps, { email }, { kind: 'registration_link', registrationId }),
    ),
    send_registration_attempt: task(ZEmailPayload, (to) =>
      sendAuthMail(deps, to, { kind: 'registration_attempt' }),
    ),
    send_unverified_password_removed: task(ZUserPayload, (to) =>
      sendAuthMail(deps, to, { kind: 'unverified_password_removed' }),
    ),
    send_credits_low_mail: task(ZCreditsLowPayload, (payload) => sendCreditsLowMail(deps, payload)),
    cleanup_auth_rows: task(z.record(z.string(), z.unknown()), async () => {
      await deleteExpiredAuthRows(deps.db, deps.clock.now());
    }),
    billing_sync_plan: task(z.object({ planId: z.uuid() }), ({ planId }) => syncPlan(deps, planId)),
    credits_sync_pack: task(z.object({ code: z.string().min(1).max(40) }), ({ code }) =>
      syncPack(deps, code),
    ),
    billing_sync_customer: task(ZUserPayload, ({ userId }) => syncStripeCustomer(deps, userId)),
    send_billing_mail: task(ZBillingMailPayload, (payload) => sendBillingMail(deps, payload)),
    billing_reconcile: task(z.record(z.string(), z.unknown()), async () => {
      await reconcileBilling(deps);
    }),
    // graphile-worker counts the run it hands us: a second attempt may follow a lost answer.
    usage_push_overage: async (payload, helpers) => {
      const { recordId } = ZOveragePayload.parse(payload);
      await pushOverageItem(deps, Number(recordId), { retry: helpers.job.attempts > 1 });
    },
  } satisfies Record<JobName, Task>;
  return tasks;
}
