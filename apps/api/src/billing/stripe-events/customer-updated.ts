/**
 * customer.updated: nothing of the customer is mirrored but its owner, so this links a
 * customer that carries our metadata to an account that has none yet (a customer made
 * before its checkout completed, or by hand in the dashboard). The customer comes from the
 * event's snapshot when its watermark proves that safe, else from Stripe (snapshot.ts).
 */

import { userIdFromMetadata, ZStripeCustomer } from '../mirror/stripe-objects';
import { findCustomerWatermark } from '../mirror/watermarks.queries';
import {
  type ApplyContext,
  applied,
  type HandlerResult,
  ignored,
  type LockFreeOutcome,
  lockCustomer,
} from './context';
import { objectIdOf } from './object-ref';
import { currentObject, heldSnapshot } from './snapshot';
import { resolveOwner } from './sync-subscription';

export async function applyCustomerUpdated(ctx: ApplyContext): Promise<HandlerResult> {
  const id = objectIdOf(ctx.event.object, 'customer', /^cus_[A-Za-z0-9]+$/);
  await lockCustomer(ctx.trx, id);
  const { object: customer } = await currentObject(ctx, {
    objectId: id,
    schema: ZStripeCustomer,
    what: `customer ${id}`,
    read: () => ctx.stripe.customers.retrieve(id),
  });
  if (customer.deleted) return ignored('the customer was deleted');
  const owner = await resolveOwner(ctx, customer.id, customer.metadata);
  return owner ? applied : ignored(`customer ${customer.id} belongs to no account`);
}

/**
 * The held content again (snapshot.ts, heldSnapshot) and nothing to link: the outcome needs
 * no write, so neither the customer's lock nor Stripe. Undefined: apply it under the lock.
 */
export const customerUpdatedWithoutChange: LockFreeOutcome = async ({ db, event }) => {
  // The watermark and the link in one round trip: this path is most customer.updated events.
  const found = await heldSnapshot(db, event, ZStripeCustomer, async (id) => {
    const { held, linked } = await findCustomerWatermark(db, id);
    return { held, extra: linked };
  });
  if (!found) return undefined;
  const { object: customer, extra: linked } = found;
  if (customer.deleted) return ignored('the customer was deleted');
  if (linked) return applied;
  return userIdFromMetadata(customer.metadata) === null
    ? ignored(`customer ${customer.id} belongs to no account`)
    : undefined;
};
