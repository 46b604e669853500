/**
 * One Stripe customer per user, created on first need (a checkout, the portal) and stored on
 * users.stripe_customer_id.
 *
 * Two concurrent first calls (a double click on "Subscribe") must not make two customers:
 * - the create carries the idempotency key `customer:<user id>`, so Stripe answers the
 *   second call with the first call's customer for 24 hours;
 * - the link is written only where none is (`stripe_customer_id IS NULL`, UNIQUE), so the
 *   loser of the race reads the winner's id instead of overwriting it;
 * - a customer made by an attempt whose link was never stored (the process died between the
 *   two, more than 24 hours ago) is found by its email and `metadata.userId` and adopted.
 * Email and name changes reach the customer through the `billing_sync_customer` job.
 */
import type { Database } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import Stripe from 'stripe';
import type { Deps } from '../../deps';
import { enqueueJob } from '../../jobs/queue';
import { callStripe } from '../journey/stripe-call';
import { requireStripe } from '../stripe-client';
import { type BillingUser, findBillingUser, linkStripeCustomer } from './customers.queries';

export type CustomerDeps = Pick<Deps, 'db' | 'stripe' | 'logger' | 'random'>;

/** Stripe's metadata key naming our user on customers and subscriptions. */
export const USER_ID_METADATA_KEY = 'userId';

/** graphile-worker backs off e^min(attempt, 10) s: 25 tries span about four days. */
const CUSTOMER_SYNC_MAX_ATTEMPTS = 25;

function customerIdempotencyKey(userId: string): string {
  return `customer:${userId}`;
}

async function requireBillingUser(db: Kysely<Database>, userId: string): Promise<BillingUser> {
  const user = await findBillingUser(db, userId);
  if (!user) throw new Error(`no user ${userId}`);
  return user;
}

/** A customer of ours for this user already in Stripe (matched by email and metadata). */
async function findOwnCustomer(stripe: Stripe, user: BillingUser): Promise<string | undefined> {
  const customers = await stripe.customers.list({ email: user.email, limit: 100 });
  return customers.data.find((customer) => customer.metadata[USER_ID_METADATA_KEY] === user.id)?.id;
}

async function createCustomer(stripe: Stripe, user: BillingUser): Promise<string> {
  try {
    const customer = await stripe.customers.create(
      {
        email: user.email,
        ...(user.name && { name: user.name }),
        metadata: { [USER_ID_METADATA_KEY]: user.id },
      },
      { idempotencyKey: customerIdempotencyKey(user.id) },
    );
    return customer.id;
  } catch (error) {
    // The key was used with other parameters (the name changed since an earlier attempt that
    // did create the customer) or is in use by a concurrent call: that customer exists.
    const conflict =
      error instanceof Stripe.errors.StripeIdempotencyError ||
      (error instanceof Stripe.errors.StripeError && error.statusCode === 409);
    const existing = conflict ? await findOwnCustomer(stripe, user) : undefined;
    if (existing) return existing;
    throw error;
  }
}

/** The user's Stripe customer id, creating the customer on first need. */
export async function ensureStripeCustomer(
  deps: CustomerDeps,
  user: { id: string },
): Promise<string> {
  const current = await requireBillingUser(deps.db, user.id);
  if (current.stripe_customer_id) return current.stripe_customer_id;
  const stripe = requireStripe(deps);
  const customerId = await callStripe(
    deps,
    'customers.create',
    async () => (await findOwnCustomer(stripe, current)) ?? (await createCustomer(stripe, current)),
  );
  if (await linkStripeCustomer(deps.db, current.id, customerId)) return customerId;
  // Lost the race: another call linked one first (the same customer, by the key).
  const winner = await requireBillingUser(deps.db, current.id);
  if (!winner.stripe_customer_id) throw new Error(`user ${current.id} lost its customer link`);
  return winner.stripe_customer_id;
}

/** Queues a push of the user's email and name to their customer; call it in the change's trx. */
export async function enqueueCustomerSync(db: Kysely<Database>, userId: string): Promise<void> {
  await enqueueJob(
    db,
    'billing_sync_customer',
    { userId },
    {
      // One queued push per user: it reads the row when it runs, so the newest values win.
      jobKey: `billing_sync_customer:${userId}`,
      queueName: `billing_customer:${userId}`,
      maxAttempts: CUSTOMER_SYNC_MAX_ATTEMPTS,
    },
  );
}

/** The job: make the customer's email and name match the user's row as it is now. */
export async function syncStripeCustomer(deps: CustomerDeps, userId: string): Promise<void> {
  const user = await findBillingUser(deps.db, userId);
  if (!user?.stripe_customer_id) return; // no customer yet: it will be created with them
  await requireStripe(deps).customers.update(
    user.stripe_customer_id,
    // '' clears the name in Stripe, as null clears it here.
    { email: user.email, name: user.name ?? '' },
    { idempotencyKey: `tb:customer-sync:${userId}:${deps.random.bytes(16).toString('hex')}` },
  );
}
