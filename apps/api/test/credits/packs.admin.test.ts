import { describe, expect, it } from 'vitest';
import { stripeProductIdForPack } from '../../src/credits/packs/pack-sync';
import { appRouter } from '../../src/trpc/root';
import {
  allProducts,
  createBillingTestApp,
  makeRetriesDue,
  pricesOf,
  queuedJobs,
  signInAdmin,
} from '../billing/billing-testing';
import { payOnHostedPage, signUpCustomer } from '../billing/journey-testing';
import { failure, registerAccount } from '../support/accounts';
import { readTrpcBody } from '../support/http';
import { callProcedure, listProcedures } from '../support/procedures';
import { auditRows } from './credits-testing';
import { createPacksApp, entriesOf, expectLedgerHolds } from './packs-testing';

const PACK = { code: 'credits_2500', name: '2,500 credits', credits: 2_500, priceCents: 2_000 };

type Admin = Awaited<ReturnType<typeof signInAdmin>>['client'];

async function adminPack(admin: Admin, code: string) {
  const pack = (await admin.admin.credits.packs.list.query()).find((p) => p.code === code);
  if (!pack) throw new Error(`no pack ${code}`);
  return pack;
}

describe('admin.credits.packs: the packs on sale, mirrored into Stripe', () => {
  it('creates a pack with one product and one one-time price, from a job queued with the change (audited)', async () => {
    const { t, stripe } = await createBillingTestApp();
    const { client: admin, account } = await signInAdmin(t);

    const created = await admin.admin.credits.packs.create.mutate(PACK);

    expect(created).toMatchObject({ version: 1, active: true, sync: { state: 'pending' } });
    expect(await queuedJobs(t, 'credits_sync_pack')).toHaveLength(1);
    expect(await allProducts(stripe)).toEqual([]);

    await t.drainJobs();

    const productId = stripeProductIdForPack(PACK.code);
    const product = await stripe.products.retrieve(productId);
    expect(product).toMatchObject({ name: '2,500 credits', active: true });
    const prices = await pricesOf(stripe, productId);
    expect(prices.map((p) => [p.type, p.unit_amount, p.currency, p.active])).toEqual([
      ['one_time', 2_000, 'usd', true],
    ]);
    expect(await adminPack(admin, PACK.code)).toMatchObject({
      stripe: { productId, priceId: prices[0]?.id },
      sync: { state: 'synced', syncedVersion: 1, attempts: 0, lastError: null },
    });
    expect(await t.client().credits.packs.list.query()).toContainEqual({
      code: PACK.code,
      name: PACK.name,
      credits: 2_500,
      priceCents: 2_000,
      currency: 'usd',
    });
    expect(await auditRows(t, 'credits.pack_created')).toEqual([
      {
        user_id: account.user.id,
        status: 'success',
        metadata: { pack: PACK.code, version: 1, changed: null },
      },
    ]);
  });

  it('on a price change, makes a new active price, deactivates the old one, and sells the new one', async () => {
    const { t, stripe } = await createBillingTestApp({ env: { APP_URL: 'https://app.test' } });
    const { client: admin } = await signInAdmin(t);
    await admin.admin.credits.packs.create.mutate(PACK);
    await t.drainJobs();
    const oldPriceId = (await adminPack(admin, PACK.code)).stripe.priceId;

    const updated = await admin.admin.credits.packs.update.mutate({
      code: PACK.code,
      priceCents: 1_800,
      credits: 2_400,
    });
    expect(updated).toMatchObject({ version: 2, priceCents: 1_800, sync: { state: 'pending' } });
    await t.drainJobs();

    const prices = await pricesOf(stripe, stripeProductIdForPack(PACK.code));
    const pack = await adminPack(admin, PACK.code);
    expect(prices).toHaveLength(2);
    expect(pack.stripe.priceId).not.toBe(oldPriceId);
    expect(prices.find((p) => p.id === pack.stripe.priceId)).toMatchObject({
      unit_amount: 1_800,
      active: true,
    });
    expect(prices.find((p) => p.id === oldPriceId)).toMatchObject({
      unit_amount: 2_000,
      active: false,
    });
    expect(pack.sync).toMatchObject({ state: 'synced', syncedVersion: 2 });
    expect((await auditRows(t, 'credits.pack_updated')).map((row) => row.metadata)).toEqual([
      { pack: PACK.code, version: 2, changed: 'credits,price_cents' },
    ]);

    const buyer = await registerAccount(t);
    const checkout = await t
      .client({ accessToken: buyer.accessToken })
      .credits.checkout.create.mutate({ pack: PACK.code });
    const lines = await stripe.checkout.sessions.listLineItems(checkout.sessionId);
    expect(lines.data.map((line) => [line.price?.id, line.amount_total])).toEqual([
      [pack.stripe.priceId, 1_800],
    ]);
  });

  it('between a price change and its sync, sells the new terms inline, never the old price', async () => {
    const { t, stripe } = await createBillingTestApp({ env: { APP_URL: 'https://app.test' } });
    const { client: admin } = await signInAdmin(t);
    await admin.admin.credits.packs.create.mutate(PACK);
    await t.drainJobs();
    const oldPriceId = (await adminPack(admin, PACK.code)).stripe.priceId;
    await admin.admin.credits.packs.update.mutate({ code: PACK.code, priceCents: 2_200 });

    const buyer = await registerAccount(t);
    const checkout = await t
      .client({ accessToken: buyer.accessToken })
      .credits.checkout.create.mutate({ pack: PACK.code });

    const lines = await stripe.checkout.sessions.listLineItems(checkout.sessionId);
    expect(lines.data.map((line) => line.amount_total)).toEqual([2_200]);
    expect(lines.data[0]?.price?.id).not.toBe(oldPriceId);
  });

  it('archives: off the list and off sale, the product inactive, and a checkout opened before is still credited once', async () => {
    const j = await createPacksApp();
    const { client: admin } = await signInAdmin(j.t);
    await admin.admin.credits.packs.create.mutate(PACK);
    await j.settle();
    const customer = await signUpCustomer(j.t);
    const opened = await customer.client.credits.checkout.create.mutate({ pack: PACK.code });

    const archived = await admin.admin.credits.packs.archive.mutate({ code: PACK.code });
    const again = await admin.admin.credits.packs.archive.mutate({ code: PACK.code });
    await j.settle();

    expect(archived).toMatchObject({ active: false, version: 2 });
    expect(archived.archivedAt).not.toBeNull();
    expect(again).toEqual(archived);
    expect((await j.t.client().credits.packs.list.query()).map((p) => p.code)).not.toContain(
      PACK.code,
    );
    expect((await j.stripe.products.retrieve(stripeProductIdForPack(PACK.code))).active).toBe(
      false,
    );
    expect(
      await failure(customer.client.credits.checkout.create.mutate({ pack: PACK.code })),
    ).toMatchObject({ appCode: 'CREDIT_PACK_NOT_FOUND' });
    expect(
      await failure(admin.admin.credits.packs.update.mutate({ code: PACK.code, name: 'Back' })),
    ).toMatchObject({ code: 'CONFLICT', appCode: 'CREDIT_PACK_ARCHIVED' });

    expect((await payOnHostedPage(opened.url)).status).toBe(303);
    await j.settle();

    expect(await customer.client.credits.balance.query()).toMatchObject({ balance: 2_500 });
    expect(
      (await entriesOf(j.t, customer.account.user.id)).map((e) => [e.kind, e.source_ref]),
    ).toEqual([['purchase', opened.sessionId]]);
    await expectLedgerHolds(j.t);
  });

  it('shows failed with the error while Stripe is unreachable and, retried, syncs once', async () => {
    const { t, stripe, proxy } = await createBillingTestApp({ proxy: true });
    const { client: admin } = await signInAdmin(t);
    proxy?.setDown(true);
    await admin.admin.credits.packs.create.mutate(PACK);

    await t.drainJobs();

    const failed = await adminPack(admin, PACK.code);
    expect(failed.sync).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.sync.lastError).toMatch(/connection to Stripe/i);
    expect(await queuedJobs(t, 'credits_sync_pack')).toMatchObject([{ attempts: 1 }]);

    proxy?.setDown(false);
    // The price is made but its answer lost: the retry must adopt it, not make a twin.
    proxy?.loseResponses('POST', '/v1/prices', 2);
    await makeRetriesDue(t);
    await t.drainJobs();
    expect((await adminPack(admin, PACK.code)).sync.state).toBe('failed');
    await makeRetriesDue(t);
    await t.drainJobs();

    const products = await allProducts(stripe);
    expect(products.map((p) => p.id)).toEqual([stripeProductIdForPack(PACK.code)]);
    const prices = await pricesOf(stripe, stripeProductIdForPack(PACK.code));
    expect(prices).toHaveLength(1);
    expect(await adminPack(admin, PACK.code)).toMatchObject({
      stripe: { priceId: prices[0]?.id },
      sync: { state: 'synced', attempts: 0, lastError: null },
    });
    expect(await queuedJobs(t, 'credits_sync_pack')).toEqual([]);
  });
});

describe('admin.credits.packs refuses', () => {
  const PACK_PROCEDURES = listProcedures(appRouter).filter((entry) =>
    entry.path.startsWith('admin.credits.packs.'),
  );

  it('covers the four procedures', () => {
    expect(PACK_PROCEDURES.map((entry) => entry.path).sort()).toEqual([
      'admin.credits.packs.archive',
      'admin.credits.packs.create',
      'admin.credits.packs.list',
      'admin.credits.packs.update',
    ]);
  });

  it.each(PACK_PROCEDURES)(
    '$path: a signed-in user who is not an admin, with 403',
    async (entry) => {
      const { t } = await createBillingTestApp();
      const user = await registerAccount(t);
      const response = await callProcedure(t.fetch, entry, {
        accessToken: user.accessToken,
        input: { ...PACK, code: 'credits_1000' },
      });

      expect(response.status).toBe(403);
      expect((await readTrpcBody(response)).error?.data.appCode).toBe('FORBIDDEN');
      expect(await queuedJobs(t, 'credits_sync_pack')).toEqual([]);
    },
  );

  it.each([
    ['a zero price', { ...PACK, priceCents: 0 }, 'priceCents'],
    ['fractional credits', { ...PACK, credits: 2.5 }, 'credits'],
    ['a price beyond Stripe’s 8 digits', { ...PACK, priceCents: 100_000_000 }, 'priceCents'],
    ['a code with capitals', { ...PACK, code: 'Big Pack' }, 'code'],
    ['an empty name', { ...PACK, name: ' ' }, 'name'],
    ['a currency that is not ISO', { ...PACK, currency: 'dollars' }, 'currency'],
  ])('create with %s: 400 VALIDATION_FAILED naming the field', async (_case, input, field) => {
    const { t } = await createBillingTestApp();
    const { client: admin } = await signInAdmin(t);

    const refused = await failure(admin.admin.credits.packs.create.mutate(input));

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(Object.keys(refused.data.fieldErrors ?? {})).toEqual([field]);
    expect(await queuedJobs(t, 'credits_sync_pack')).toEqual([]);
  });

  it('a taken code with 409, and an unknown pack with 404', async () => {
    const { t } = await createBillingTestApp();
    const { client: admin } = await signInAdmin(t);
    await admin.admin.credits.packs.create.mutate(PACK);

    expect(await failure(admin.admin.credits.packs.create.mutate(PACK))).toMatchObject({
      code: 'CONFLICT',
      appCode: 'CREDIT_PACK_CODE_TAKEN',
      data: { fieldErrors: { code: [expect.any(String)] } },
    });
    expect(
      await failure(admin.admin.credits.packs.update.mutate({ code: 'nope', name: 'x' })),
    ).toMatchObject({ code: 'NOT_FOUND', appCode: 'CREDIT_PACK_NOT_FOUND' });
  });
});
