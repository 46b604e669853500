// The hosted Checkout page at a session's `url`. GET shows the line items, an email field when
// the session has no customer, and Stripe's test cards; the form POSTs back here and answers
// like Stripe's page: Pay → 303 to `success_url` with {CHECKOUT_SESSION_ID} filled in, Cancel →
// 303 to `cancel_url` (the session stays open), a declined card → the page again with the
// decline message. Plain HTML forms, so a test drives it with fetch and no browser.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { completeCheckout } from '../billing/checkout.ts';
import { formatAmount } from '../billing/invoicing.ts';
import type { EmulatorContext } from '../context.ts';
import { StripeApiError } from '../errors.ts';
import { parseForm } from '../http/form.ts';
import { readBody, redirect, sendHtml } from '../http/respond.ts';
import type { EmulatedCheckoutSession } from '../objects/checkout.ts';
import {
  TEST_CARD_NAMES,
  TEST_CARDS,
  type TestCard,
  testCardByNumber,
} from '../objects/test-cards.ts';
import { escapeHtml, layout } from './html.ts';

function render(ctx: EmulatorContext, session: EmulatedCheckoutSession, error?: string): string {
  if (session.status !== 'open') {
    const message =
      session.status === 'complete'
        ? 'This payment is complete.'
        : 'This checkout session has expired.';
    const back = session.status === 'complete' ? session.success_url : session.cancel_url;
    return layout(
      'Checkout',
      `<h1>${message}</h1>${back ? `<p><a href="${escapeHtml(back)}">Continue</a></p>` : ''}`,
    );
  }
  const items = ctx.store.checkoutLineItems.get(session.id) ?? [];
  const rows = items
    .map((item) => {
      const every = item.price?.recurring ? ` / ${item.price.recurring.interval}` : '';
      return `<tr><td>${escapeHtml(item.quantity)} × ${escapeHtml(item.description)}</td><td class="amount">${escapeHtml(formatAmount(item.amount_total, item.currency))}${every}</td></tr>`;
    })
    .join('');
  const total = formatAmount(session.amount_total ?? 0, session.currency ?? 'usd');
  const knownEmail = session.customer_email ?? (session.customer ? 'on file' : null);
  const cards = TEST_CARD_NAMES.map(
    (name, index) =>
      `<label><input type="radio" name="card" value="${name}"${index === 0 ? ' checked' : ''}> ${escapeHtml(TEST_CARDS[name].label)}</label>`,
  ).join('');
  return layout(
    'Checkout',
    `<h1>${session.mode === 'subscription' ? 'Subscribe' : 'Pay'}</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<table>${rows}<tr class="total"><td>Total due today</td><td class="amount">${escapeHtml(total)}</td></tr></table>
<form method="post">
${knownEmail ? `<p class="note">Email: ${escapeHtml(knownEmail)}</p>` : '<label>Email <input type="email" name="email" required></label>'}
<label>Name on card <input type="text" name="name"></label>
<h2>Test card</h2>${cards}
<label class="note">…or type a test card number <input type="text" name="card_number" inputmode="numeric"></label>
<button name="action" value="pay">Pay ${escapeHtml(total)}</button>
<button name="action" value="cancel" class="secondary" formnovalidate>Cancel</button>
</form>`,
  );
}

function chosenCard(form: Record<string, unknown>): TestCard | string {
  const number = typeof form.card_number === 'string' ? form.card_number.trim() : '';
  if (number)
    return testCardByNumber(number) ?? 'Your card number is incorrect. Use one of the test cards.';
  const name = TEST_CARD_NAMES.find((candidate) => candidate === form.card);
  return name ? TEST_CARDS[name] : TEST_CARDS.visa;
}

export async function handleCheckoutPage(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  sessionId: string,
  afterAction: () => void,
): Promise<void> {
  const session = ctx.store.checkoutSessions.get(sessionId);
  if (!session) {
    sendHtml(res, 404, layout('Not found', '<h1>This checkout session does not exist.</h1>'));
    return;
  }
  if (req.method !== 'POST') {
    sendHtml(res, 200, render(ctx, session));
    return;
  }
  const form = parseForm(await readBody(req));
  if (form.action === 'cancel') {
    if (session.cancel_url) redirect(res, session.cancel_url);
    else sendHtml(res, 200, render(ctx, session));
    return;
  }
  if (session.status !== 'open') {
    sendHtml(res, 409, render(ctx, session));
    return;
  }
  const card = chosenCard(form);
  if (typeof card === 'string') {
    sendHtml(res, 402, render(ctx, session, card));
    return;
  }
  const email =
    typeof form.email === 'string' && form.email.trim() !== '' ? form.email.trim() : null;
  if (session.mode === 'subscription' && !session.customer && !session.customer_email && !email) {
    sendHtml(res, 400, render(ctx, session, 'Enter your email address.'));
    return;
  }
  const name = typeof form.name === 'string' && form.name.trim() !== '' ? form.name.trim() : null;
  try {
    const result = completeCheckout(ctx, session, { card, email, name });
    if (!result.completed) {
      sendHtml(res, 402, render(ctx, session, result.decline.message));
      return;
    }
    if (result.redirectUrl) redirect(res, result.redirectUrl);
    else sendHtml(res, 200, render(ctx, session));
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    sendHtml(res, error.status, render(ctx, session, error.body.message));
  } finally {
    afterAction();
  }
}
