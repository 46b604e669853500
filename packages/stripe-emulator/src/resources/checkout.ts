// /v1/checkout/sessions: create (modes `payment` and `subscription`, hosted UI), retrieve,
// list, expire, and list line items. The session's `url` is the emulator's hosted page
// (pages/checkout.ts). Validation mirrors Stripe's: one of `customer`/`customer_email`, active
// prices, recurring prices only in subscription mode (and at least one there), one currency.
import type Stripe from 'stripe';
import { expireCheckoutSession } from '../billing/checkout.ts';
import {
  requireCheckoutSession,
  requireCustomer,
  requirePrice,
  requireProduct,
} from '../billing/lookup.ts';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import { paginate, readPage } from '../http/list.ts';
import { applyMetadata } from '../http/params.ts';
import { pathParam, type Router } from '../http/router.ts';
import { buildCheckoutSession, buildLineItem, newCheckoutSessionId } from '../objects/checkout.ts';
import { newestFirst } from '../store.ts';
import {
  createInlinePrice,
  type InlinePrice,
  type LineInput,
  readLineItems,
} from './checkout-line-items.ts';
import { readEmail, readUrl } from './fields.ts';

/** Stripe accepts expires_at between 30 minutes and 24 hours from now. */
const MIN_EXPIRY_SECONDS = 30 * 60;
const MAX_EXPIRY_SECONDS = 24 * 60 * 60;

export function registerCheckoutRoutes(router: Router, ctx: EmulatorContext): void {
  router.post('/v1/checkout/sessions', (p) => {
    const mode = p.enum('mode', ['payment', 'setup', 'subscription'] as const);
    if (!mode) throw parameterMissing('mode');
    if (mode === 'setup')
      throw invalidRequest('The emulator does not support setup mode.', { param: 'mode' });
    const lines = readLineItems(p);
    const customer = p.string('customer') || undefined;
    const customerEmail = readEmail(p, 'customer_email') ?? undefined;
    if (customer && customerEmail) {
      throw invalidRequest(
        'You may only specify one of these parameters: customer, customer_email.',
        { param: 'customer_email' },
      );
    }
    const customerCreation = p.enum('customer_creation', ['always', 'if_required'] as const);
    if (customerCreation && mode !== 'payment') {
      throw invalidRequest('`customer_creation` can only be used in `payment` mode.', {
        param: 'customer_creation',
      });
    }
    const clientReferenceId = p.nullableString('client_reference_id') ?? null;
    const metadata = applyMetadata({}, p.metadata());
    const successUrl = readUrl(p, 'success_url') ?? null;
    const cancelUrl = readUrl(p, 'cancel_url') ?? null;
    const subscriptionData = p.object('subscription_data');
    const paymentIntentData = p.object('payment_intent_data');
    if (subscriptionData && mode !== 'subscription')
      throw invalidRequest('`subscription_data` can only be used in `subscription` mode.', {
        param: 'subscription_data',
      });
    if (paymentIntentData && mode !== 'payment')
      throw invalidRequest('`payment_intent_data` can only be used in `payment` mode.', {
        param: 'payment_intent_data',
      });
    const options = {
      subscriptionData: {
        metadata: applyMetadata({}, subscriptionData?.metadata()),
        description: subscriptionData?.nullableString('description') ?? null,
        trialPeriodDays: subscriptionData?.integer('trial_period_days') ?? null,
      },
      paymentIntentData: {
        metadata: applyMetadata({}, paymentIntentData?.metadata()),
        description: paymentIntentData?.nullableString('description') ?? null,
      },
    };
    const expiresAt = p.integer('expires_at');
    // Accepted and stored by Stripe, without effect on the emulator's flows.
    for (const key of [
      'allow_promotion_codes',
      'billing_address_collection',
      'locale',
      'payment_method_types',
      'ui_mode',
      'submit_type',
    ]) {
      p.raw(key);
    }

    return () => {
      const now = ctx.clock.now();
      if (customer) requireCustomer(ctx, customer, 'customer');
      if (
        expiresAt !== undefined &&
        (expiresAt < now + MIN_EXPIRY_SECONDS || expiresAt > now + MAX_EXPIRY_SECONDS)
      ) {
        throw invalidRequest(
          'The `expires_at` timestamp must be between 30 minutes and 24 hours from now.',
          { param: 'expires_at' },
        );
      }
      type Resolved = { line: LineInput; recurring: boolean; currency: string } & (
        | { price: Stripe.Price; inline?: undefined }
        | { price?: undefined; inline: InlinePrice }
      );
      const resolved = lines.map((line): Resolved => {
        if (line.kind === 'inline') {
          if (line.inline.product)
            requireProduct(ctx, line.inline.product, `${line.param}[product]`);
          return {
            line,
            inline: line.inline,
            recurring: line.inline.recurring !== null,
            currency: line.inline.currency,
          };
        }
        const price = requirePrice(ctx, line.price, line.param);
        if (!price.active) {
          throw invalidRequest(
            'The price specified is inactive. This field only accepts active prices.',
            { param: line.param },
          );
        }
        return { line, price, recurring: price.recurring !== null, currency: price.currency };
      });
      const recurring = resolved.filter((entry) => entry.recurring);
      if (mode === 'payment' && recurring.length > 0) {
        throw invalidRequest(
          'You must be in subscription mode to use recurring prices. Use mode=subscription or remove the recurring prices.',
          { param: 'line_items' },
        );
      }
      if (mode === 'subscription' && recurring.length === 0) {
        throw invalidRequest(
          'You must specify at least one recurring price in `subscription` mode when using prices.',
          { param: 'line_items' },
        );
      }
      if (new Set(resolved.map((entry) => entry.currency)).size > 1) {
        throw invalidRequest('All prices must use the same currency.', { param: 'line_items' });
      }

      const lineItems: Stripe.LineItem[] = resolved.map((entry) => {
        const price = entry.price ?? createInlinePrice(ctx, now, entry.inline);
        const productId = typeof price.product === 'string' ? price.product : price.product.id;
        return buildLineItem(price, requireProduct(ctx, productId), entry.line.quantity);
      });
      const id = newCheckoutSessionId();
      const session = buildCheckoutSession(now, {
        id,
        mode,
        url: `${ctx.settings.publicUrl}/c/pay/${id}`,
        lineItems,
        customer: customer ?? null,
        customerEmail: customerEmail ?? null,
        customerCreation: mode === 'payment' ? (customerCreation ?? 'if_required') : null,
        clientReferenceId,
        metadata,
        successUrl,
        cancelUrl,
        expiresAt: expiresAt ?? now + ctx.settings.checkoutSessionLifetimeSeconds,
      });
      ctx.store.checkoutSessions.set(id, session);
      ctx.store.checkoutLineItems.set(id, lineItems);
      ctx.store.checkoutOptions.set(id, options);
      return session;
    };
  });

  router.get(
    '/v1/checkout/sessions/:id',
    (_p, path) => () => requireCheckoutSession(ctx, pathParam(path)),
  );

  router.get('/v1/checkout/sessions', (p) => {
    const customer = p.string('customer');
    const subscription = p.string('subscription');
    const paymentIntent = p.string('payment_intent');
    const status = p.enum('status', ['open', 'complete', 'expired'] as const);
    const page = readPage(p);
    return () => {
      const sessions = newestFirst(ctx.store.checkoutSessions).filter(
        (session) =>
          (customer === undefined || session.customer === customer) &&
          (subscription === undefined || session.subscription === subscription) &&
          (paymentIntent === undefined || session.payment_intent === paymentIntent) &&
          (status === undefined || session.status === status),
      );
      return paginate(sessions, page, '/v1/checkout/sessions', 'checkout.session');
    };
  });

  router.post('/v1/checkout/sessions/:id/expire', (_p, path) => () => {
    const session = requireCheckoutSession(ctx, pathParam(path));
    expireCheckoutSession(ctx, session);
    return session;
  });

  router.get('/v1/checkout/sessions/:id/line_items', (p, path) => {
    const page = readPage(p);
    return () => {
      const session = requireCheckoutSession(ctx, pathParam(path));
      const items = ctx.store.checkoutLineItems.get(session.id) ?? [];
      return paginate(items, page, `/v1/checkout/sessions/${session.id}/line_items`, 'line_item');
    };
  });
}
