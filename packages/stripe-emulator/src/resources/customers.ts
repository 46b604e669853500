// /v1/customers: create, retrieve, update, list (filter by exact `email`), and the customer's
// saved payment methods. `invoice_settings[default_payment_method]` must be a card attached to
// that customer, as Stripe insists.
import { requireCustomer, requirePaymentMethod } from '../billing/lookup.ts';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { paginate, readPage } from '../http/list.ts';
import { applyMetadata } from '../http/params.ts';
import { pathParam, type Router } from '../http/router.ts';
import { previousAttributes, toJson } from '../json.ts';
import { buildCustomer } from '../objects/customer.ts';
import { newestFirst } from '../store.ts';
import { readAddress, readEmail } from './fields.ts';

export function registerCustomerRoutes(router: Router, ctx: EmulatorContext): void {
  router.post('/v1/customers', (p) => {
    const email = readEmail(p) ?? null;
    const name = p.nullableString('name') ?? null;
    const description = p.nullableString('description') ?? null;
    const phone = p.nullableString('phone') ?? null;
    const address = readAddress(p) ?? null;
    const metadata = applyMetadata({}, p.metadata());
    return () => {
      const customer = buildCustomer(ctx.clock.now(), {
        email,
        name,
        description,
        phone,
        metadata,
        address,
      });
      ctx.store.customers.set(customer.id, customer);
      ctx.events.emit('customer.created', customer);
      return customer;
    };
  });

  router.get('/v1/customers/:id', (_p, path) => () => requireCustomer(ctx, pathParam(path)));

  router.post('/v1/customers/:id', (p, path) => {
    const email = readEmail(p);
    const name = p.nullableString('name');
    const description = p.nullableString('description');
    const phone = p.nullableString('phone');
    const address = readAddress(p);
    const metadata = p.metadata();
    const invoiceSettings = p.object('invoice_settings');
    const defaultPaymentMethod = invoiceSettings?.nullableString('default_payment_method');
    return () => {
      const customer = requireCustomer(ctx, pathParam(path));
      if (defaultPaymentMethod) {
        const method = requirePaymentMethod(
          ctx,
          defaultPaymentMethod,
          'invoice_settings[default_payment_method]',
        );
        if (method.customer !== customer.id) {
          throw invalidRequest(
            `The customer does not have a payment method with the ID ${defaultPaymentMethod}. The payment method must be attached to the customer.`,
            { param: 'invoice_settings[default_payment_method]' },
          );
        }
      }
      const before = toJson(customer);
      if (email !== undefined) customer.email = email;
      if (name !== undefined) customer.name = name;
      if (description !== undefined) customer.description = description;
      if (phone !== undefined) customer.phone = phone;
      if (address !== undefined) customer.address = address;
      if (defaultPaymentMethod !== undefined) {
        customer.invoice_settings.default_payment_method = defaultPaymentMethod;
      }
      customer.metadata = applyMetadata(customer.metadata, metadata);
      const previous = previousAttributes(before, toJson(customer));
      if (Object.keys(previous).length > 0) ctx.events.emit('customer.updated', customer, previous);
      return customer;
    };
  });

  router.get('/v1/customers', (p) => {
    const email = p.string('email');
    const page = readPage(p);
    return () => {
      const all = newestFirst(ctx.store.customers);
      const matching =
        email === undefined ? all : all.filter((customer) => customer.email === email);
      return paginate(matching, page, '/v1/customers', 'customer');
    };
  });

  router.get('/v1/customers/:id/payment_methods', (p, path) => {
    const type = p.string('type');
    const page = readPage(p);
    return () => {
      const customer = requireCustomer(ctx, pathParam(path));
      const methods = newestFirst(ctx.store.paymentMethods).filter(
        (method) => method.customer === customer.id && (type === undefined || method.type === type),
      );
      return paginate(
        methods,
        page,
        `/v1/customers/${customer.id}/payment_methods`,
        'payment_method',
      );
    };
  });
}
