// /v1/payment_methods: create from a test token, retrieve, list by customer, attach, detach.
// Stripe's magic test ids work: `attach('pm_card_chargeCustomerFail', { customer })` creates
// and attaches a card whose later charges decline — the standard way to test failed renewals.
import { attachCard } from '../billing/cards.ts';
import { requireCustomer, requirePaymentMethod } from '../billing/lookup.ts';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest, parameterMissing, resourceMissing } from '../errors.ts';
import { paginate, readPage } from '../http/list.ts';
import { pathParam, type Router } from '../http/router.ts';
import { buildPaymentMethod } from '../objects/payments.ts';
import { testCardByLast4, testCardForMagicId } from '../objects/test-cards.ts';
import { newestFirst } from '../store.ts';

export function registerPaymentMethodRoutes(router: Router, ctx: EmulatorContext): void {
  router.post('/v1/payment_methods', (p) => {
    const type = p.requiredString('type');
    if (type !== 'card')
      throw invalidRequest('The emulator supports only card payment methods.', { param: 'type' });
    const token = p.object('card')?.string('token');
    if (!token) throw parameterMissing('card[token]');
    return () => {
      const card = testCardForMagicId(token);
      if (!card) throw resourceMissing('token', token, 'card[token]');
      const method = buildPaymentMethod(ctx.clock.now(), card, { email: null, name: null }, null);
      ctx.store.paymentMethods.set(method.id, method);
      return method;
    };
  });

  router.get(
    '/v1/payment_methods/:id',
    (_p, path) => () => requirePaymentMethod(ctx, pathParam(path)),
  );

  router.get('/v1/payment_methods', (p) => {
    const customer = p.string('customer');
    const type = p.string('type');
    const page = readPage(p);
    return () => {
      if (customer) requireCustomer(ctx, customer, 'customer');
      const methods = newestFirst(ctx.store.paymentMethods).filter(
        (method) =>
          (customer === undefined || method.customer === customer) &&
          (type === undefined || method.type === type),
      );
      return paginate(methods, page, '/v1/payment_methods', 'payment_method');
    };
  });

  router.post('/v1/payment_methods/:id/attach', (p, path) => {
    const customerId = p.requiredString('customer');
    return () => {
      const customer = requireCustomer(ctx, customerId, 'customer');
      const id = pathParam(path);
      const magic = testCardForMagicId(id);
      if (magic) return attachCard(ctx, customer, magic);
      const method = requirePaymentMethod(ctx, id);
      if (method.customer && method.customer !== customer.id) {
        throw invalidRequest(
          'The payment method you provided has already been attached to a customer.',
          {
            code: 'payment_method_unexpected_state',
          },
        );
      }
      if (method.customer === customer.id) return method;
      return attachCard(ctx, customer, testCardByLast4(method.card.last4), method);
    };
  });

  router.post('/v1/payment_methods/:id/detach', (_p, path) => () => {
    const method = requirePaymentMethod(ctx, pathParam(path));
    if (!method.customer) {
      throw invalidRequest(
        'The payment method you provided is not attached to a customer so detachment is impossible.',
        {
          code: 'payment_method_unexpected_state',
        },
      );
    }
    const customer = ctx.store.customers.get(
      typeof method.customer === 'string' ? method.customer : method.customer.id,
    );
    method.customer = null;
    if (customer && customer.invoice_settings.default_payment_method === method.id) {
      customer.invoice_settings.default_payment_method = null;
    }
    ctx.events.emit('payment_method.detached', method);
    return method;
  });
}
