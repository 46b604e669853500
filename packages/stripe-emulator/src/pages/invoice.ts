// The hosted invoice page at an invoice's `hosted_invoice_url` (and `invoice_pdf`, served as
// the same HTML): number, status, lines, amount due, and — while the invoice is open — a Pay
// button that charges a new test card, as a customer settling a failed renewal would.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatAmount } from '../billing/invoicing.ts';
import { payInvoiceNow } from '../billing/renewal.ts';
import type { EmulatorContext } from '../context.ts';
import { parseForm } from '../http/form.ts';
import { readBody, redirect, sendHtml } from '../http/respond.ts';
import type { EmulatedInvoice } from '../objects/invoice.ts';
import { buildPaymentMethod } from '../objects/payments.ts';
import { TEST_CARD_NAMES, TEST_CARDS } from '../objects/test-cards.ts';
import { escapeHtml, formatDate, layout } from './html.ts';

function render(invoice: EmulatedInvoice, error?: string): string {
  const rows = invoice.lines.data
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.description)}<br><span class="note">${formatDate(line.period.start)} – ${formatDate(line.period.end)}</span></td><td class="amount">${escapeHtml(formatAmount(line.amount, line.currency))}</td></tr>`,
    )
    .join('');
  const cards = TEST_CARD_NAMES.map(
    (name, index) =>
      `<label><input type="radio" name="card" value="${name}"${index === 0 ? ' checked' : ''}> ${escapeHtml(TEST_CARDS[name].label)}</label>`,
  ).join('');
  const pay =
    invoice.status === 'open'
      ? `<form method="post">${cards}<button name="action" value="pay">Pay ${escapeHtml(formatAmount(invoice.amount_remaining, invoice.currency))}</button></form>`
      : '';
  return layout(
    `Invoice ${invoice.number ?? invoice.id}`,
    `<h1>Invoice ${escapeHtml(invoice.number ?? invoice.id)}</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<p class="note">Status: ${escapeHtml(invoice.status)} · Issued ${formatDate(invoice.created)}</p>
<table>${rows}<tr class="total"><td>Amount due</td><td class="amount">${escapeHtml(formatAmount(invoice.amount_due, invoice.currency))}</td></tr></table>${pay}`,
  );
}

export async function handleInvoicePage(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  invoiceId: string,
  afterAction: () => void,
): Promise<void> {
  const invoice = ctx.store.invoices.get(invoiceId);
  if (!invoice || invoice.status === 'draft') {
    sendHtml(res, 404, layout('Not found', '<h1>This invoice does not exist.</h1>'));
    return;
  }
  if (req.method !== 'POST') {
    sendHtml(res, 200, render(invoice));
    return;
  }
  const form = parseForm(await readBody(req));
  if (invoice.status !== 'open') {
    redirect(res, `/i/${invoice.id}`);
    return;
  }
  const name = TEST_CARD_NAMES.find((candidate) => candidate === form.card) ?? 'visa';
  try {
    const method = buildPaymentMethod(
      ctx.clock.now(),
      TEST_CARDS[name],
      { email: invoice.customer_email, name: null },
      null,
    );
    ctx.store.paymentMethods.set(method.id, method);
    invoice.default_payment_method = method.id;
    const outcome = payInvoiceNow(ctx, invoice);
    if (outcome.paid) redirect(res, `/i/${invoice.id}`);
    else sendHtml(res, 402, render(invoice, 'Your card was declined.'));
  } finally {
    afterAction();
  }
}
