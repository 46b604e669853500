// Advancing the test clock renews subscriptions: each period end bills a new invoice, charges
// the card and moves the period, anchored to the start date like Stripe's billing cycle.
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../src/index.ts';
import { createPlan, DAY, START, startTestEmulator, subscribe, type TestEnv } from './helpers.ts';

const utc = (year: number, month: number, day: number, hour = 12) =>
  Date.UTC(year, month - 1, day, hour) / 1000;

let env: TestEnv;
afterEach(() => env.stop());

describe('renewals', () => {
  it('bill a new invoice and move the period at period end', async () => {
    env = await startTestEmulator();
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription } = await subscribe(env, price);
    expect(subscription.items.data[0]).toMatchObject({
      current_period_start: START,
      current_period_end: utc(2030, 2, 15),
    });

    env.emulator.clock.advance(31 * DAY);
    const renewed = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.status).toBe('active');
    expect(renewed.items.data[0]).toMatchObject({
      current_period_start: utc(2030, 2, 15),
      current_period_end: utc(2030, 3, 15),
    });
    const invoice = await env.stripe.invoices.retrieve(String(renewed.latest_invoice));
    expect(invoice).toMatchObject({
      billing_reason: 'subscription_cycle',
      status: 'paid',
      amount_paid: 2000,
      created: utc(2030, 2, 15),
      period_start: START,
      period_end: utc(2030, 2, 15),
    });
    expect(invoice.lines.data[0]?.period).toEqual({
      start: utc(2030, 2, 15),
      end: utc(2030, 3, 15),
    });
    expect((await env.stripe.events.list({ type: 'invoice.paid' })).data).toHaveLength(2);
  });

  it('run every period that a long jump crosses, each on its own date', async () => {
    env = await startTestEmulator();
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription } = await subscribe(env, price);
    env.emulator.clock.advanceTo(utc(2030, 5, 1));
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((invoice) => invoice.created)).toEqual([
      utc(2030, 4, 15),
      utc(2030, 3, 15),
      utc(2030, 2, 15),
      START,
    ]);
    expect(env.emulator.clock.now()).toBe(utc(2030, 5, 1));
  });

  it('keep a month-end anchor through short months', async () => {
    env = await startTestEmulator({ clock: createManualClock(utc(2030, 1, 31)) });
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription } = await subscribe(env, price);
    const ends: number[] = [];
    for (let i = 0; i < 3; i++) {
      const current = await env.stripe.subscriptions.retrieve(subscription.id);
      const end = current.items.data[0]?.current_period_end ?? 0;
      ends.push(end);
      env.emulator.clock.advanceTo(end);
    }
    expect(ends).toEqual([utc(2030, 2, 28), utc(2030, 3, 31), utc(2030, 4, 30)]);
  });

  it('renew yearly plans a year later', async () => {
    env = await startTestEmulator();
    const { price } = await createPlan(env.stripe, { amount: 20000, interval: 'year' });
    const { subscription } = await subscribe(env, price);
    env.emulator.clock.advance(364 * DAY);
    expect((await env.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(
      1,
    );
    env.emulator.clock.advance(DAY);
    expect((await env.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(
      2,
    );
  });

  it('end a trial by billing the first paid period', async () => {
    env = await startTestEmulator();
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const session = await env.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      customer_email: 'ada@example.com',
      subscription_data: { trial_period_days: 14 },
    });
    const { subscription: id } = env.emulator.completeCheckout(session.id);
    const trialing = await env.stripe.subscriptions.retrieve(String(id));
    expect(trialing).toMatchObject({
      status: 'trialing',
      trial_start: START,
      trial_end: START + 14 * DAY,
    });
    expect((await env.stripe.invoices.retrieve(String(trialing.latest_invoice))).amount_due).toBe(
      0,
    );
    env.emulator.clock.advance(14 * DAY);
    const active = await env.stripe.subscriptions.retrieve(String(id));
    expect(active.status).toBe('active');
    expect((await env.stripe.invoices.retrieve(String(active.latest_invoice))).amount_paid).toBe(
      2000,
    );
  });

  it('can be driven over HTTP by a test in another process', async () => {
    env = await startTestEmulator();
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const { subscription } = await subscribe(env, price);
    const response = await fetch(`${env.emulator.url}/_emulator/clock/advance`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${env.emulator.secretKey}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ days: 31 }),
    });
    expect(await response.json()).toEqual({ now: START + 31 * DAY, steps: 1 });
    expect((await env.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(
      2,
    );
  });
});
