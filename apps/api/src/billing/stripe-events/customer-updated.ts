/**
 * customer.updated: nothing of the customer is mirrored but its owner, so this links a
 * customer that carries our metadata to an account that has none yet (a customer made
 * before its checkout completed, or by hand in the dashboard).
 */
import { ZStripeCustomer } from '../mirror/stripe-objects';
import {
  type ApplyContext,
  applied,
  type HandlerResult,
  ignored,
  lockCustomer,
  readStripe,
} from './context';
import { objectIdOf } from './object-ref';
import { resolveOwner } from './sync-subscription';

export async function applyCustomerUpdated(ctx: ApplyContext): Promise<HandlerResult> {
  const id = objectIdOf(ctx.event.object, 'customer', /^cus_[A-Za-z0-9]+$/);
  await lockCustomer(ctx.trx, id);
  const customer = await readStripe(ZStripeCustomer, `customer ${id}`, () =>
    ctx.stripe.customers.retrieve(id),
  );
  if (customer.deleted) return ignored('the customer was deleted');
  const owner = await resolveOwner(ctx, customer.id, customer.metadata);
  return owner ? applied : ignored(`customer ${customer.id} belongs to no account`);
}
