/**
 * What the credit pack tests share: the journey app with webhooks delivered over HTTP (signed,
 * by the emulator), the default packs seeded, a customer buying a pack on the hosted page, and
 * the ledger check (`pnpm credits:verify`'s) every test ends with.
 */
import { expect } from 'vitest';
import { seedDefaultPacks } from '../../src/credits/packs/default-packs';
import { verifyLedger } from '../../src/credits/verify/verify-ledger';
import {
  createJourneyApp,
  type JourneyApp,
  payOnHostedPage,
  type signUpCustomer,
} from '../billing/journey-testing';
import type { TestApp } from '../harness';

export async function createPacksApp(
  options: { env?: Record<string, string>; webhooks?: boolean } = {},
) {
  const j = await createJourneyApp({ webhooks: options.webhooks ?? true, env: options.env });
  await seedDefaultPacks(j.t.deps.db, { stripeConfigured: true });
  await j.t.drainJobs();
  return j;
}

export type Customer = Awaited<ReturnType<typeof signUpCustomer>>;

/** Opens a checkout for `pack` and pays it on the hosted page; webhooks delivered. */
export async function buyPack(j: JourneyApp, customer: Customer, pack: string) {
  const checkout = await customer.client.credits.checkout.create.mutate({ pack });
  const paid = await payOnHostedPage(checkout.url);
  expect(paid.status).toBe(303);
  await j.settle();
  const session = await j.stripe.checkout.sessions.retrieve(checkout.sessionId);
  if (typeof session.payment_intent !== 'string')
    throw new Error('the pack checkout has no payment');
  const intent = await j.stripe.paymentIntents.retrieve(session.payment_intent);
  if (typeof intent.latest_charge !== 'string') throw new Error('the payment made no charge');
  return { sessionId: checkout.sessionId, chargeId: intent.latest_charge };
}

/** The account's ledger, oldest first, in comparable fields. */
export async function entriesOf(t: TestApp, userId: string) {
  return t.deps.db
    .selectFrom('credit_ledger')
    .select(['kind', 'delta', 'balance_after', 'source_ref', 'metadata'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

/** `pnpm credits:verify`: every account's ledger sums to its balance and chains. */
export async function expectLedgerHolds(t: TestApp) {
  const report = await verifyLedger(t.deps);
  expect(report.balanceMismatches.count).toBe(0);
  expect(report.chainBreaks.count).toBe(0);
  expect(report.ok).toBe(true);
}

/** Posts a Stripe event to the webhook route, signed with the endpoint's secret, as Stripe does. */
export async function postSigned(j: JourneyApp, event: object): Promise<Response> {
  const payload = JSON.stringify(event);
  return j.t.app.request('/webhooks/stripe', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': j.stripe.webhooks.generateTestHeaderString({
        payload,
        secret: j.emulator.webhookSecret,
      }),
    },
    body: payload,
  });
}
