/** The billing mails' words, as text and HTML (mail/templates.ts's layout). */
import { layout, type Rendered, text } from '../../mail/templates';
import type { BillingMail } from './billing-mail';

const PRODUCT = 'Tollbooth';

/** The frontend page where a user manages billing (it opens the Stripe portal). */
export const BILLING_APP_PATH = '/billing';

function money(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
  }).format(cents / 100);
}

function day(iso: string): string {
  return new Date(iso).toLocaleDateString('en-US', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

function mail(
  subject: string,
  title: string,
  lines: string[],
  action?: { label: string; url: string },
): Rendered {
  return { subject, text: text(lines, action?.url), html: layout(title, lines, action) };
}

export function renderBillingMail(message: BillingMail, links: { appUrl: string }): Rendered {
  const billingPage = `${links.appUrl}${BILLING_APP_PATH}`;
  switch (message.kind) {
    case 'subscription_started':
      return mail(
        `Your ${PRODUCT} ${message.planName} subscription has started`,
        `Welcome to ${message.planName}`,
        [
          `Thank you: your ${message.planName} subscription is active, and its features are yours now.`,
          `Invoices, your card and your plan are on your billing page: ${billingPage}`,
        ],
      );
    case 'plan_changed':
      return mail(`Your ${PRODUCT} plan is now ${message.toPlan}`, 'Your plan changed', [
        `Your subscription moved from ${message.fromPlan} to ${message.toPlan}.`,
        `Any difference in price shows on your next invoice: ${billingPage}`,
      ]);
    case 'cancellation_scheduled':
      return mail(
        `Your ${PRODUCT} subscription ends on ${day(message.endsAt)}`,
        'Your subscription is set to end',
        [
          `Your ${message.planName} subscription was canceled. You keep everything it includes until ${day(message.endsAt)}, and you will not be charged again.`,
          `Changed your mind? Resume it before then on your billing page: ${billingPage}`,
        ],
      );
    case 'payment_failed':
      return mail(
        `Your ${PRODUCT} payment of ${money(message.amountCents, message.currency)} failed`,
        'Your payment failed',
        [
          `We could not charge ${money(message.amountCents, message.currency)} for your subscription.`,
          message.nextAttemptAt
            ? `We will try again on ${day(message.nextAttemptAt)}. To keep your plan, pay the invoice or update your card now.`
            : 'To keep your plan, pay the invoice or update your card now.',
        ],
        { label: 'Fix the payment', url: message.fixUrl },
      );
    case 'subscription_ended':
      return mail(
        `Your ${PRODUCT} ${message.planName} subscription has ended`,
        'Your subscription has ended',
        [
          `Your ${message.planName} subscription has ended, and your account is on the free plan now.`,
          `You can subscribe again any time: ${billingPage}`,
        ],
      );
  }
}
