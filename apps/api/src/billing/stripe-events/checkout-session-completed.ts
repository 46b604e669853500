/**
 * checkout.session.completed. Subscription mode: the session proves which account the
 * customer belongs to (`client_reference_id`, or our metadata), so the link is stored if the
 * account has none, and the subscription is mirrored from Stripe. Payment mode: a credit pack
 * bought, credited once per session (credits/packs/pack-purchase.ts).
 */
import { z } from 'zod';
import { creditPackCheckout } from '../../credits/packs/pack-purchase';
import { findCustomerOwner, linkCustomer } from '../mirror/customers.queries';
import { userIdFromMetadata, ZStripeCheckoutSession } from '../mirror/stripe-objects';
import {
  type ApplyContext,
  applied,
  type HandlerResult,
  ignored,
  lockCustomer,
  lockObject,
  readStripe,
  requireSameCustomer,
} from './context';
import { customerOf, objectIdOf } from './object-ref';
import { syncSubscription } from './sync-subscription';

const ZUserId = z.uuid();

export async function applyCheckoutSessionCompleted(ctx: ApplyContext): Promise<HandlerResult> {
  const id = objectIdOf(ctx.event.object, 'checkout.session', /^cs_[A-Za-z0-9_]+$/);
  const named = customerOf(ctx.event.object);
  await (named ? lockCustomer(ctx.trx, named) : lockObject(ctx.trx, `stripe:${id}`));
  const session = await readStripe(ZStripeCheckoutSession, `checkout session ${id}`, () =>
    ctx.stripe.checkout.sessions.retrieve(id),
  );
  const customer = session.customer;
  if (customer && named) requireSameCustomer(named, customer, `checkout session ${id}`);
  // A body without its customer: nothing else is locked yet, so taking it now is safe.
  if (customer && !named) await lockCustomer(ctx.trx, customer);
  if (session.mode === 'payment') return creditPackCheckout(ctx, session);
  if (session.mode !== 'subscription') {
    return ignored(`a ${session.mode}-mode checkout: nothing to mirror yet`);
  }
  if (session.status !== 'complete') return ignored(`the session is ${session.status ?? 'open'}`);

  const reference = ZUserId.safeParse(session.client_reference_id);
  const userId = reference.success ? reference.data : userIdFromMetadata(session.metadata);
  const owner = userId ? await findCustomerOwner(ctx.trx, userId) : undefined;
  if (owner && customer && owner.stripe_customer_id === null) {
    if (await linkCustomer(ctx.trx, owner.id, customer)) {
      await ctx.audit('billing.customer_linked', owner.id, {
        customer,
        via: 'checkout',
        stripeEvent: ctx.event.id,
      });
    }
  }
  if (!session.subscription || !customer) {
    return owner ? applied : ignored('a session without subscription');
  }
  return syncSubscription(ctx, session.subscription, customer);
}
