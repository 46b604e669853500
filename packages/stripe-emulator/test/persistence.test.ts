// With a state file, a restarted emulator keeps its customers, subscriptions and the rest —
// and they keep working: the restored subscription renews when the clock moves on.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../src/index.ts';
import { createPlan, DAY, START, startTestEmulator, subscribe } from './helpers.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stripe-emulator-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('state file', () => {
  it('survives a restart', async () => {
    const statePath = join(dir, 'state.json');
    const first = await startTestEmulator({ statePath });
    const { price } = await createPlan(first.stripe, { amount: 2000, lookupKey: 'pro_monthly' });
    const { subscription, customerId } = await subscribe(first, price);
    first.emulator.clock.advance(10 * DAY);
    await first.stop();
    expect(JSON.parse(readFileSync(statePath, 'utf8')).version).toBe(1);

    const second = await startTestEmulator({ statePath, clock: createManualClock(START) });
    try {
      expect(second.emulator.clock.now()).toBe(START + 10 * DAY);
      const customer = await second.stripe.customers.retrieve(customerId);
      expect(customer).toMatchObject({ id: customerId, email: 'ada@example.com' });
      const restored = await second.stripe.prices.list({ lookup_keys: ['pro_monthly'] });
      expect(restored.data[0]?.unit_amount_decimal?.toString()).toBe('2000');
      expect((await second.stripe.events.list({ limit: 100 })).data.length).toBeGreaterThan(10);

      second.emulator.clock.advance(21 * DAY);
      const renewed = await second.stripe.subscriptions.retrieve(subscription.id);
      expect(renewed.status).toBe('active');
      expect(
        (await second.stripe.invoices.list({ subscription: subscription.id })).data,
      ).toHaveLength(2);
    } finally {
      await second.stop();
    }
  });

  it('keeps pending invoice items, which the renewal after the restart still bills', async () => {
    const statePath = join(dir, 'state.json');
    const first = await startTestEmulator({ statePath });
    const { price } = await createPlan(first.stripe, { amount: 2000 });
    const { subscription, customerId } = await subscribe(first, price);
    const item = await first.stripe.invoiceItems.create({
      customer: customerId,
      subscription: subscription.id,
      currency: 'usd',
      quantity: 3,
      unit_amount_decimal: Stripe.Decimal.from('8'),
    });
    await first.stop();

    const second = await startTestEmulator({ statePath, clock: createManualClock(START) });
    try {
      expect(await second.stripe.invoiceItems.retrieve(item.id)).toMatchObject({
        amount: 24,
        invoice: null,
      });
      second.emulator.clock.advance(31 * DAY);
      const [renewal] = (await second.stripe.invoices.list({ subscription: subscription.id })).data;
      expect(renewal?.total).toBe(2024);
      expect(String(renewal?.lines.data[0]?.pricing?.unit_amount_decimal)).toBe('8');
    } finally {
      await second.stop();
    }
  });

  it('keeps subscription schedules, which still move to their next phase', async () => {
    const statePath = join(dir, 'state.json');
    const first = await startTestEmulator({ statePath });
    const pro = await createPlan(first.stripe, { amount: 3000 });
    const basic = await createPlan(first.stripe, { amount: 1000 });
    const { subscription } = await subscribe(first, pro.price);
    const schedule = await first.stripe.subscriptionSchedules.create({
      from_subscription: subscription.id,
    });
    await first.stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: pro.price.id }], start_date: START, end_date: START + 31 * DAY },
        { items: [{ price: basic.price.id }] },
      ],
    });
    await first.stop();

    const second = await startTestEmulator({ statePath, clock: createManualClock(START) });
    try {
      const restored = await second.stripe.subscriptionSchedules.retrieve(schedule.id);
      expect(restored).toMatchObject({ status: 'active', subscription: subscription.id });
      expect(restored.phases).toHaveLength(2);
      second.emulator.clock.advance(31 * DAY);
      const renewed = await second.stripe.subscriptions.retrieve(subscription.id);
      expect(renewed.items.data[0]?.price.id).toBe(basic.price.id);
    } finally {
      await second.stop();
    }
  });

  it('starts empty when the file does not exist yet', async () => {
    const env = await startTestEmulator({ statePath: join(dir, 'nested', 'state.json') });
    try {
      expect((await env.stripe.customers.list()).data).toEqual([]);
    } finally {
      await env.stop();
    }
  });

  it('refuses a file that is not an emulator state file', async () => {
    const statePath = join(dir, 'state.json');
    writeFileSync(
      statePath,
      JSON.stringify({ version: 1, collections: { customers: [['cus_x', { object: 'price' }]] } }),
    );
    await expect(startTestEmulator({ statePath })).rejects.toThrow(/unexpected value in customers/);
  });
});
