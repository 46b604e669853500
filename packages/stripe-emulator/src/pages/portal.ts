// The hosted billing portal at a portal session's `url`: the customer's subscriptions with
// Stripe's default portal actions — cancel at period end, renew (undo that), switch to another
// active recurring price (prorated, like the portal's default) — the card on file (with a
// switch to a card whose charges decline, for trying dunning by hand), invoices, and a link
// back to `return_url`. Actions are form POSTs answered with 303 back to the portal.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { attachCard, makeDefaultCard } from '../billing/cards.ts';
import { describeItem, formatAmount, productName } from '../billing/invoicing.ts';
import { idOf } from '../billing/lookup.ts';
import { updateSubscription } from '../billing/subscription-update.ts';
import { currentPeriod } from '../billing/subscriptions.ts';
import type { EmulatorContext } from '../context.ts';
import { StripeApiError } from '../errors.ts';
import { parseForm } from '../http/form.ts';
import { readBody, redirect, sendHtml } from '../http/respond.ts';
import type { EmulatedSubscription } from '../objects/subscription.ts';
import { TEST_CARD_NAMES, TEST_CARDS } from '../objects/test-cards.ts';
import { escapeHtml, formatDate, layout } from './html.ts';

const NO_CHANGES = {
  items: undefined,
  prorationBehavior: 'create_prorations',
  prorationDate: undefined,
  cancelAtPeriodEnd: undefined,
  metadata: undefined,
  defaultPaymentMethod: undefined,
  description: undefined,
  cancellationComment: undefined,
  cancellationFeedback: undefined,
} as const;

function button(
  action: string,
  label: string,
  fields: Record<string, string> = {},
  secondary = false,
) {
  const hidden = Object.entries(fields)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('');
  return `<form method="post" class="inline">${hidden}<button name="action" value="${escapeHtml(action)}"${secondary ? ' class="secondary"' : ''}>${escapeHtml(label)}</button></form>`;
}

function renderSubscription(ctx: EmulatorContext, subscription: EmulatedSubscription): string {
  const [item] = subscription.items.data;
  if (!item) return '';
  const { end } = currentPeriod(subscription);
  const what = describeItem(item.price, productName(ctx, item.price), item.quantity ?? 1);
  const state = subscription.cancel_at_period_end
    ? `Cancels on ${formatDate(end)}`
    : `Renews on ${formatDate(end)}`;
  const actions = subscription.cancel_at_period_end
    ? button('renew', 'Renew plan', { subscription: subscription.id })
    : button('cancel', 'Cancel plan', { subscription: subscription.id }, true);
  const others = [...ctx.store.prices.values()].filter(
    (price) =>
      price.active &&
      price.recurring &&
      price.currency === subscription.currency &&
      price.id !== item.price.id,
  );
  const switches = others
    .map((price) =>
      button(
        'switch',
        `Switch to ${describeItem(price, productName(ctx, price), 1)}`,
        {
          subscription: subscription.id,
          price: price.id,
        },
        true,
      ),
    )
    .join('');
  return `<p><strong>${escapeHtml(what)}</strong><br><span class="note">${escapeHtml(subscription.status)} · ${escapeHtml(state)}</span></p>${actions}${switches}`;
}

function render(ctx: EmulatorContext, sessionId: string, error?: string): string {
  const session = ctx.store.portalSessions.get(sessionId);
  const customer = session ? ctx.store.customers.get(session.customer) : undefined;
  if (!session || !customer)
    return layout('Billing', '<h1>This portal session does not exist.</h1>');
  const subscriptions = [...ctx.store.subscriptions.values()].filter(
    (subscription) =>
      idOf(subscription.customer) === customer.id && subscription.status !== 'canceled',
  );
  // Checkout puts the card on the subscription, not on the customer: show whichever is set.
  const defaultCard =
    customer.invoice_settings.default_payment_method ??
    subscriptions.find((subscription) => subscription.default_payment_method)
      ?.default_payment_method ??
    null;
  const card = defaultCard ? ctx.store.paymentMethods.get(idOf(defaultCard)) : undefined;
  const invoices = [...ctx.store.invoices.values()]
    .filter((invoice) => invoice.customer === customer.id && invoice.status !== 'draft')
    .reverse()
    .map(
      (invoice) =>
        `<tr><td>${formatDate(invoice.created)} · ${escapeHtml(invoice.number)}</td><td>${escapeHtml(invoice.status)}</td><td class="amount"><a href="${escapeHtml(invoice.hosted_invoice_url)}">${escapeHtml(formatAmount(invoice.total, invoice.currency))}</a></td></tr>`,
    )
    .join('');
  const cardButtons = TEST_CARD_NAMES.filter((name) => !TEST_CARDS[name].declinesOnAttach)
    .map((name) => button('card', `Use ${TEST_CARDS[name].label}`, { card: name }, true))
    .join('');
  return layout(
    'Billing',
    `<h1>Billing for ${escapeHtml(customer.email ?? customer.name ?? customer.id)}</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<h2>Subscriptions</h2>${subscriptions.map((s) => renderSubscription(ctx, s)).join('') || '<p class="note">No active subscriptions.</p>'}
<h2>Payment method</h2><p>${card ? escapeHtml(`${card.card.brand} ending ${card.card.last4}`) : 'No default card'}</p>${cardButtons}
<h2>Invoices</h2><table>${invoices}</table>
${session.return_url ? `<p><a href="${escapeHtml(session.return_url)}">← Return</a></p>` : ''}`,
  );
}

function act(ctx: EmulatorContext, customerId: string, form: Record<string, unknown>): void {
  const customer = ctx.store.customers.get(customerId);
  if (!customer) return;
  if (form.action === 'card') {
    const name = TEST_CARD_NAMES.find((candidate) => candidate === form.card) ?? 'visa';
    makeDefaultCard(ctx, customer, attachCard(ctx, customer, TEST_CARDS[name]));
    return;
  }
  const subscription =
    typeof form.subscription === 'string'
      ? ctx.store.subscriptions.get(form.subscription)
      : undefined;
  if (!subscription || idOf(subscription.customer) !== customer.id) return;
  if (form.action === 'cancel')
    updateSubscription(ctx, subscription, { ...NO_CHANGES, cancelAtPeriodEnd: true });
  if (form.action === 'renew')
    updateSubscription(ctx, subscription, { ...NO_CHANGES, cancelAtPeriodEnd: false });
  if (form.action === 'switch' && typeof form.price === 'string') {
    const price = ctx.store.prices.get(form.price);
    const [item] = subscription.items.data;
    if (!price || !item) return;
    updateSubscription(ctx, subscription, {
      ...NO_CHANGES,
      items: [{ id: item.id, price, quantity: undefined, deleted: false }],
    });
  }
}

export async function handlePortalPage(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  sessionId: string,
  afterAction: () => void,
): Promise<void> {
  const session = ctx.store.portalSessions.get(sessionId);
  if (!session) {
    sendHtml(res, 404, render(ctx, sessionId));
    return;
  }
  if (req.method !== 'POST') {
    sendHtml(res, 200, render(ctx, sessionId));
    return;
  }
  const form = parseForm(await readBody(req));
  try {
    act(ctx, session.customer, form);
    redirect(res, `/p/session/${session.id}`);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    sendHtml(res, error.status, render(ctx, sessionId, error.body.message));
  } finally {
    afterAction();
  }
}
