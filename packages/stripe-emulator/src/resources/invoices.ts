// /v1/invoices: retrieve, list (by customer, subscription, status), list lines, and pay — the
// call an integration makes after a customer fixes their card during dunning.
import { idOf, requireInvoice, requirePaymentMethod } from '../billing/lookup.ts';
import { payInvoiceNow } from '../billing/renewal.ts';
import type { EmulatorContext } from '../context.ts';
import { cardError, invalidRequest } from '../errors.ts';
import { paginate, readPage } from '../http/list.ts';
import { pathParam, type Router } from '../http/router.ts';
import { newestFirst } from '../store.ts';

const STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;

export function registerInvoiceRoutes(router: Router, ctx: EmulatorContext): void {
  router.get('/v1/invoices/:id', (_p, path) => () => requireInvoice(ctx, pathParam(path)));

  router.get('/v1/invoices', (p) => {
    const customer = p.string('customer');
    const subscription = p.string('subscription');
    const status = p.enum('status', STATUSES);
    p.enum('collection_method', ['charge_automatically', 'send_invoice'] as const);
    const page = readPage(p);
    return () => {
      const invoices = newestFirst(ctx.store.invoices).filter(
        (invoice) =>
          (customer === undefined ||
            (invoice.customer !== null && idOf(invoice.customer) === customer)) &&
          (subscription === undefined ||
            (invoice.subscription !== null && idOf(invoice.subscription) === subscription)) &&
          (status === undefined || invoice.status === status),
      );
      return paginate(invoices, page, '/v1/invoices', 'invoice');
    };
  });

  router.get('/v1/invoices/:id/lines', (p, path) => {
    const page = readPage(p);
    return () => {
      const invoice = requireInvoice(ctx, pathParam(path));
      return paginate(invoice.lines.data, page, `/v1/invoices/${invoice.id}/lines`, 'line_item');
    };
  });

  router.post('/v1/invoices/:id/pay', (p, path) => {
    const paymentMethod = p.string('payment_method') || undefined;
    return () => {
      const invoice = requireInvoice(ctx, pathParam(path));
      if (invoice.status !== 'open') {
        throw invalidRequest(`Invoice is already ${invoice.status}.`, { code: 'invoice_not_open' });
      }
      if (paymentMethod) {
        const method = requirePaymentMethod(ctx, paymentMethod, 'payment_method');
        invoice.default_payment_method = method.id;
      }
      const outcome = payInvoiceNow(ctx, invoice);
      if (outcome.paid) return invoice;
      throw cardError(
        {
          code: 'card_declined',
          declineCode: 'generic_decline',
          message: 'Your card was declined.',
        },
        { param: 'payment_method' },
      );
    };
  });
}
