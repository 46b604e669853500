/**
 * The billing mails: what the webhook queues (in the transaction that applied the change) and
 * what the worker sends. Payloads carry what the mail says at the moment of the change (plan
 * names, dates, the hosted invoice link), never secrets; the address is read at send time.
 */
import { z } from 'zod';
import type { Deps } from '../../deps';
import { addressed } from '../../mail/templates';
import { renderBillingMail } from './billing-templates';

const ZIsoDate = z.iso.datetime({ offset: true });

export const ZBillingMail = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('subscription_started'), planName: z.string().min(1).max(100) }),
  z.object({
    kind: z.literal('plan_changed'),
    fromPlan: z.string().min(1).max(100),
    toPlan: z.string().min(1).max(100),
  }),
  z.object({
    kind: z.literal('cancellation_scheduled'),
    planName: z.string().min(1).max(100),
    endsAt: ZIsoDate,
  }),
  z.object({
    kind: z.literal('payment_failed'),
    amountCents: z.number().int().nonnegative(),
    currency: z.string().regex(/^[a-z]{3}$/),
    /** Where the user fixes it: Stripe's hosted invoice page, else the app's billing page. */
    fixUrl: z.url({ protocol: /^https?$/ }),
    nextAttemptAt: ZIsoDate.nullable(),
  }),
  z.object({ kind: z.literal('subscription_ended'), planName: z.string().min(1).max(100) }),
]);

export type BillingMail = z.output<typeof ZBillingMail>;

export const ZBillingMailPayload = z.object({ userId: z.uuid(), mail: ZBillingMail });
export type BillingMailPayload = z.output<typeof ZBillingMailPayload>;

export type BillingMailDeps = Pick<Deps, 'db' | 'mailer' | 'config'>;

/** The job: one mail to the account's current address; nothing for a deactivated account. */
export async function sendBillingMail(
  deps: BillingMailDeps,
  payload: BillingMailPayload,
): Promise<void> {
  const user = await deps.db
    .selectFrom('users')
    .select(['email', 'status'])
    .where('id', '=', payload.userId)
    .executeTakeFirst();
  if (user?.status !== 'active') return;
  await deps.mailer.send(
    addressed(user.email, renderBillingMail(payload.mail, { appUrl: deps.config.appUrl })),
  );
}
