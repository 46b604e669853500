// /v1/payment_intents and /v1/charges (retrieve, list) and /v1/refunds (create, retrieve, list).
// Refunds may be partial; a charge is `refunded` once the whole amount is, and a refund beyond
// what is left is refused as Stripe refuses it.
import type Stripe from 'stripe';
import { idOf, requireCharge, requirePaymentIntent, requireRefund } from '../billing/lookup.ts';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import { paginate, readPage } from '../http/list.ts';
import { applyMetadata } from '../http/params.ts';
import { pathParam, type Router } from '../http/router.ts';
import { previousAttributes, toJson } from '../json.ts';
import { buildRefund } from '../objects/payments.ts';
import { newestFirst } from '../store.ts';

const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export function registerPaymentRoutes(router: Router, ctx: EmulatorContext): void {
  router.get(
    '/v1/payment_intents/:id',
    (_p, path) => () => requirePaymentIntent(ctx, pathParam(path)),
  );
  router.get('/v1/payment_intents', (p) => {
    const customer = p.string('customer');
    const page = readPage(p);
    return () =>
      paginate(
        newestFirst(ctx.store.paymentIntents).filter(
          (intent) => customer === undefined || intent.customer === customer,
        ),
        page,
        '/v1/payment_intents',
        'payment_intent',
      );
  });

  router.get('/v1/charges/:id', (_p, path) => () => requireCharge(ctx, pathParam(path)));
  router.get('/v1/charges', (p) => {
    const customer = p.string('customer');
    const paymentIntent = p.string('payment_intent');
    const page = readPage(p);
    return () =>
      paginate(
        newestFirst(ctx.store.charges).filter(
          (charge) =>
            (customer === undefined || charge.customer === customer) &&
            (paymentIntent === undefined || charge.payment_intent === paymentIntent),
        ),
        page,
        '/v1/charges',
        'charge',
      );
  });

  router.post('/v1/refunds', (p) => {
    const chargeId = p.string('charge') || undefined;
    const intentId = p.string('payment_intent') || undefined;
    if (!chargeId && !intentId) throw parameterMissing('charge');
    const amount = p.integer('amount');
    const reason = p.enum('reason', REASONS) ?? null;
    const metadata = applyMetadata({}, p.metadata());
    return () => {
      let charge: Stripe.Charge | undefined;
      if (chargeId) charge = requireCharge(ctx, chargeId, 'charge');
      else if (intentId) {
        const intent = requirePaymentIntent(ctx, intentId, 'payment_intent');
        charge = intent.latest_charge
          ? ctx.store.charges.get(idOf(intent.latest_charge))
          : undefined;
        if (!charge || intent.status !== 'succeeded') {
          throw invalidRequest(
            `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
            {
              code: 'charge_not_refundable',
              param: 'payment_intent',
            },
          );
        }
      }
      const target = charge && ctx.store.charges.get(charge.id);
      if (!target) throw parameterMissing('charge');
      if (target.status !== 'succeeded') {
        throw invalidRequest(`Charge ${target.id} has not succeeded and cannot be refunded.`, {
          code: 'charge_not_refundable',
        });
      }
      const refundable = target.amount - target.amount_refunded;
      if (refundable <= 0) {
        throw invalidRequest(`Charge ${target.id} has already been refunded.`, {
          code: 'charge_already_refunded',
        });
      }
      const refundAmount = amount ?? refundable;
      if (refundAmount < 1 || refundAmount > refundable) {
        throw invalidRequest(
          `Refund amount (${refundAmount}) is greater than unrefunded amount on charge (${refundable})`,
          { param: 'amount' },
        );
      }
      const refund = buildRefund(ctx.clock.now(), target, {
        amount: refundAmount,
        reason,
        metadata,
      });
      ctx.store.refunds.set(refund.id, refund);
      ctx.events.emit('refund.created', refund);
      const before = toJson(target);
      target.amount_refunded += refundAmount;
      target.refunded = target.amount_refunded === target.amount;
      target.refunds = {
        object: 'list',
        data: [refund, ...(target.refunds?.data ?? [])],
        has_more: false,
        url: `/v1/charges/${target.id}/refunds`,
      };
      ctx.events.emit('charge.refunded', target, previousAttributes(before, toJson(target)));
      return refund;
    };
  });

  router.get('/v1/refunds/:id', (_p, path) => () => requireRefund(ctx, pathParam(path)));
  router.get('/v1/refunds', (p) => {
    const charge = p.string('charge');
    const paymentIntent = p.string('payment_intent');
    const page = readPage(p);
    return () =>
      paginate(
        newestFirst(ctx.store.refunds).filter(
          (refund) =>
            (charge === undefined || refund.charge === charge) &&
            (paymentIntent === undefined || refund.payment_intent === paymentIntent),
        ),
        page,
        '/v1/refunds',
        'refund',
      );
  });
}
