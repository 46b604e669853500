// /v1/subscriptions: retrieve, list, update (items with prorations, cancel_at_period_end,
// metadata, default card), cancel now (DELETE) and resume. Subscriptions are created by
// Checkout (billing/checkout.ts); `resume` is Stripe's endpoint for *paused* subscriptions,
// which the emulator never produces — undoing a scheduled cancellation is
// `update({ cancel_at_period_end: false })`, as with Stripe.
import type Stripe from 'stripe';
import {
  idOf,
  requirePaymentMethod,
  requirePrice,
  requireSubscription,
} from '../billing/lookup.ts';
import { type ItemChange, updateSubscription } from '../billing/subscription-update.ts';
import { endSubscription } from '../billing/subscriptions.ts';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { paginate, readPage } from '../http/list.ts';
import type { Params } from '../http/params.ts';
import { pathParam, type Router } from '../http/router.ts';
import { newestFirst } from '../store.ts';

const FEEDBACK = [
  'customer_service',
  'low_quality',
  'missing_features',
  'other',
  'switched_service',
  'too_complex',
  'too_expensive',
  'unused',
] as const;

const LIST_STATUSES = [
  'active',
  'all',
  'canceled',
  'ended',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
] as const;

function readCancellationDetails(p: Params) {
  const details = p.object('cancellation_details');
  return {
    comment: details?.nullableString('comment'),
    feedback: details?.enum('feedback', FEEDBACK),
  };
}

function matchesStatus(
  status: Stripe.Subscription.Status,
  filter: (typeof LIST_STATUSES)[number] | undefined,
) {
  // Stripe's default list leaves canceled subscriptions out; `all` includes them.
  if (filter === undefined) return status !== 'canceled' && status !== 'incomplete_expired';
  if (filter === 'all') return true;
  if (filter === 'ended') return status === 'canceled' || status === 'incomplete_expired';
  return status === filter;
}

export function registerSubscriptionRoutes(router: Router, ctx: EmulatorContext): void {
  router.get(
    '/v1/subscriptions/:id',
    (_p, path) => () => requireSubscription(ctx, pathParam(path)),
  );

  router.get('/v1/subscriptions', (p) => {
    const customer = p.string('customer');
    const price = p.string('price');
    const status = p.enum('status', LIST_STATUSES);
    const page = readPage(p);
    return () => {
      const subscriptions = newestFirst(ctx.store.subscriptions).filter(
        (subscription) =>
          (customer === undefined || idOf(subscription.customer) === customer) &&
          (price === undefined ||
            subscription.items.data.some((item) => item.price.id === price)) &&
          matchesStatus(subscription.status, status),
      );
      return paginate(subscriptions, page, '/v1/subscriptions', 'subscription');
    };
  });

  router.post('/v1/subscriptions/:id', (p, path) => {
    const items = p.array('items')?.map((item) => ({
      id: item.string('id') || undefined,
      price: item.string('price') || undefined,
      quantity: item.integer('quantity'),
      deleted: item.boolean('deleted') ?? false,
    }));
    const prorationBehavior =
      p.enum('proration_behavior', ['always_invoice', 'create_prorations', 'none'] as const) ??
      'create_prorations';
    const prorationDate = p.integer('proration_date');
    const cancelAtPeriodEnd = p.boolean('cancel_at_period_end');
    const metadata = p.metadata();
    const defaultPaymentMethod = p.nullableString('default_payment_method');
    const description = p.nullableString('description');
    const cancellation = readCancellationDetails(p);
    p.enum('payment_behavior', [
      'allow_incomplete',
      'default_incomplete',
      'error_if_incomplete',
      'pending_if_incomplete',
    ] as const);
    return () => {
      const subscription = requireSubscription(ctx, pathParam(path));
      const changes: ItemChange[] | undefined = items?.map((item, index) => {
        const param = `items[${index}][price]`;
        const price = item.price ? requirePrice(ctx, item.price, param) : undefined;
        if (price && !price.recurring) {
          throw invalidRequest(
            `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
            { param },
          );
        }
        if (price && !price.active) {
          throw invalidRequest(
            'The price specified is inactive. This field only accepts active prices.',
            { param },
          );
        }
        return { id: item.id, price, quantity: item.quantity, deleted: item.deleted };
      });
      let method: ReturnType<typeof requirePaymentMethod> | null | undefined;
      if (defaultPaymentMethod) {
        method = requirePaymentMethod(ctx, defaultPaymentMethod, 'default_payment_method');
        if (method.customer !== idOf(subscription.customer)) {
          throw invalidRequest(
            `The customer does not have a payment method with the ID ${defaultPaymentMethod}. The payment method must be attached to the customer.`,
            { param: 'default_payment_method' },
          );
        }
      } else if (defaultPaymentMethod === null) {
        method = null;
      }
      return updateSubscription(ctx, subscription, {
        items: changes,
        prorationBehavior,
        prorationDate,
        cancelAtPeriodEnd,
        metadata,
        defaultPaymentMethod: method,
        description,
        cancellationComment: cancellation.comment,
        cancellationFeedback: cancellation.feedback,
      });
    };
  });

  router.delete('/v1/subscriptions/:id', (p, path) => {
    const cancellation = readCancellationDetails(p);
    // Accepted like Stripe; the emulator issues no final proration invoice.
    p.boolean('invoice_now');
    p.boolean('prorate');
    return () => {
      const subscription = requireSubscription(ctx, pathParam(path));
      endSubscription(ctx, subscription, {
        reason: 'cancellation_requested',
        endedAt: ctx.clock.now(),
        comment: cancellation.comment,
        feedback: cancellation.feedback,
      });
      return subscription;
    };
  });

  router.post('/v1/subscriptions/:id/resume', (p, path) => {
    p.enum('billing_cycle_anchor', ['now', 'unchanged'] as const);
    p.enum('proration_behavior', ['always_invoice', 'create_prorations', 'none'] as const);
    return () => {
      const subscription = requireSubscription(ctx, pathParam(path));
      if (subscription.status !== 'paused') {
        throw invalidRequest(
          `Subscription ${subscription.id} cannot be resumed because its status is ${subscription.status}; only paused subscriptions can be resumed.`,
        );
      }
      return subscription;
    };
  });

  router.get('/v1/subscription_items', (p) => {
    const subscription = p.requiredString('subscription');
    const page = readPage(p);
    return () => {
      const owner = requireSubscription(ctx, subscription, 'subscription');
      return paginate(
        [...owner.items.data],
        page,
        `/v1/subscription_items?subscription=${owner.id}`,
        'subscription_item',
      );
    };
  });
}
