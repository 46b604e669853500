// /v1/invoiceitems: create, retrieve, list (`customer`, `invoice`, `pending`, `created`) and
// delete. An item is priced by `amount` (cents, negative for a credit) or per unit by
// `unit_amount_decimal` × `quantity`, rounded to the cent; it stays pending until the next
// invoice sweeps it in (billing/invoice-items.ts), and only a pending item can be deleted.
// `pricing[price]`, `price_data`, `discounts`, `tax_rates` and `invoice` (adding to a draft)
// are not emulated: they are `parameter_unknown`.
import Stripe from 'stripe';
import { requireCustomer, requireInvoiceItem, requireSubscription } from '../billing/lookup.ts';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { inRange, paginate, readPage } from '../http/list.ts';
import { applyMetadata, type Params } from '../http/params.ts';
import { pathParam, type Router } from '../http/router.ts';
import { buildInvoiceItem } from '../objects/invoice-item.ts';
import { newestFirst } from '../store.ts';
import { readCurrency } from './fields.ts';

/** Stripe accepts up to 12 decimal places of a cent. */
const UNIT_AMOUNT_DECIMAL = /^-?\d{1,12}(\.\d{1,12})?$/;

interface Pricing {
  amount: number;
  quantity: number;
  unitAmountDecimal: Stripe.Decimal | null;
}

function readPricing(p: Params): Pricing {
  const amount = p.integer('amount');
  const quantity = p.integer('quantity');
  const unit = p.string('unit_amount_decimal') || undefined;
  if (quantity !== undefined && quantity < 0) {
    throw invalidRequest('This value must be greater than or equal to 0.', { param: 'quantity' });
  }
  if (amount !== undefined && unit !== undefined) {
    throw invalidRequest(
      'You may only specify one of these parameters: amount, unit_amount_decimal.',
      { param: 'amount' },
    );
  }
  if (amount !== undefined) {
    if (quantity !== undefined && quantity !== 1) {
      throw invalidRequest(
        'When `amount` is passed, `quantity` must be 1 or left out: use `unit_amount_decimal` to price per unit.',
        { param: 'quantity' },
      );
    }
    return { amount, quantity: 1, unitAmountDecimal: null };
  }
  if (unit === undefined) {
    throw invalidRequest(
      'You must specify either `amount` or `unit_amount_decimal` (with an optional `quantity`).',
      { param: 'amount' },
    );
  }
  if (!UNIT_AMOUNT_DECIMAL.test(unit)) {
    throw invalidRequest(`Invalid decimal: ${unit}`, { param: 'unit_amount_decimal' });
  }
  const units = quantity ?? 1;
  return {
    amount: Math.round(units * Number(unit)),
    quantity: units,
    unitAmountDecimal: Stripe.Decimal.from(unit),
  };
}

function readPeriod(p: Params, now: number): { start: number; end: number } {
  const period = p.object('period');
  if (!period) return { start: now, end: now };
  const start = period.requiredInteger('start');
  const end = period.requiredInteger('end');
  if (end < start) {
    throw invalidRequest('The period end must be on or after the period start.', {
      param: 'period[end]',
    });
  }
  return { start, end };
}

export function registerInvoiceItemRoutes(router: Router, ctx: EmulatorContext): void {
  router.post('/v1/invoiceitems', (p) => {
    const customerId = p.requiredString('customer');
    const pricing = readPricing(p);
    const currency = p.has('currency') ? readCurrency(p) : undefined;
    const subscriptionId = p.string('subscription') || undefined;
    const description = p.string('description') || null;
    const discountable = p.boolean('discountable');
    const metadata = applyMetadata({}, p.metadata());
    const period = readPeriod(p, ctx.clock.now());
    return () => {
      const customer = requireCustomer(ctx, customerId, 'customer');
      const itemCurrency = currency ?? customer.currency;
      if (!itemCurrency) {
        throw invalidRequest(
          'Missing required param: currency (the customer has no default currency yet).',
          { code: 'parameter_missing', param: 'currency' },
        );
      }
      if (subscriptionId !== undefined) {
        const subscription = requireSubscription(ctx, subscriptionId, 'subscription');
        if (subscription.customer !== customer.id) {
          throw invalidRequest(
            `The subscription ${subscription.id} does not belong to the customer ${customer.id}.`,
            { param: 'subscription' },
          );
        }
        if (subscription.status === 'canceled') {
          throw invalidRequest(
            `The subscription ${subscription.id} is canceled; an invoice item cannot be added to it.`,
            { param: 'subscription' },
          );
        }
      }
      const item = buildInvoiceItem(ctx.clock.now(), {
        customer: customer.id,
        ...pricing,
        currency: itemCurrency,
        description,
        subscription: subscriptionId ?? null,
        period,
        // Stripe's default: discountable unless it is a credit.
        discountable: discountable ?? pricing.amount >= 0,
        metadata,
      });
      ctx.store.invoiceItems.set(item.id, item);
      ctx.events.emit('invoiceitem.created', item);
      return item;
    };
  });

  router.get('/v1/invoiceitems/:id', (_p, path) => () => requireInvoiceItem(ctx, pathParam(path)));

  router.get('/v1/invoiceitems', (p) => {
    const customer = p.string('customer');
    const invoice = p.string('invoice');
    const pending = p.boolean('pending');
    const page = readPage(p);
    return () => {
      const items = newestFirst(ctx.store.invoiceItems).filter(
        (item) =>
          (customer === undefined || item.customer === customer) &&
          (invoice === undefined || item.invoice === invoice) &&
          (pending === undefined || (item.invoice === null) === pending) &&
          // Invoice items carry `date`, not `created`: the filter reads that.
          inRange(item.date, page.created),
      );
      return paginate(items, { ...page, created: undefined }, '/v1/invoiceitems', 'invoiceitem');
    };
  });

  router.delete('/v1/invoiceitems/:id', (_p, path) => () => {
    const item = requireInvoiceItem(ctx, pathParam(path));
    if (item.invoice !== null) {
      throw invalidRequest(
        `This invoice item is already on invoice ${String(item.invoice)} and can no longer be deleted.`,
        { param: 'id' },
      );
    }
    ctx.store.invoiceItems.delete(item.id);
    ctx.events.emit('invoiceitem.deleted', item);
    return { id: item.id, object: 'invoiceitem', deleted: true };
  });
}
