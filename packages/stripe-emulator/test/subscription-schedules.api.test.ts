// /v1/subscription_schedules as an integration calls it: create from a subscription or for a
// customer, retrieve, list, update phases (validated as Stripe validates them), idempotency.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPlan,
  DAY,
  PERIOD_END,
  START,
  startTestEmulator,
  stripeError,
  subscribe,
  type TestEnv,
} from './helpers.ts';

const HALFWAY = START + 15.5 * DAY;

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

async function scheduled() {
  const pro = await createPlan(env.stripe, { amount: 3000, name: 'Pro' });
  const basic = await createPlan(env.stripe, { amount: 1000, name: 'Basic' });
  const { subscription, customerId } = await subscribe(env, pro.price);
  const schedule = await env.stripe.subscriptionSchedules.create({
    from_subscription: subscription.id,
  });
  return { pro: pro.price, basic: basic.price, subscription, customerId, schedule };
}

describe('creating a schedule', () => {
  it('from a subscription takes no other settings', async () => {
    const { price } = await createPlan(env.stripe, { amount: 3000 });
    const { subscription } = await subscribe(env, price);
    const error = await stripeError(
      env.stripe.subscriptionSchedules.create({
        from_subscription: subscription.id,
        end_behavior: 'cancel',
      }),
    );
    expect(error).toMatchObject({ statusCode: 400, param: 'end_behavior' });
    expect((await env.stripe.subscriptionSchedules.list()).data).toHaveLength(0);
  });

  it('from an unknown subscription names the parameter', async () => {
    const error = await stripeError(
      env.stripe.subscriptionSchedules.create({ from_subscription: 'sub_missing' }),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'from_subscription',
    });
  });

  it('from a subscription that already has one is refused', async () => {
    const { subscription, schedule } = await scheduled();
    const error = await stripeError(
      env.stripe.subscriptionSchedules.create({ from_subscription: subscription.id }),
    );
    expect(error).toMatchObject({ statusCode: 400, param: 'from_subscription' });
    expect(error.message).toContain(schedule.id);
  });

  it('for a customer starting now creates and bills the subscription of the first phase', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    env.emulator.attachCard(customer.id);
    const schedule = await env.stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      end_behavior: 'release',
      phases: [{ items: [{ price: price.id, quantity: 2 }] }],
    });
    expect(schedule).toMatchObject({
      status: 'active',
      current_phase: { start_date: START, end_date: PERIOD_END },
    });
    const subscription = await env.stripe.subscriptions.retrieve(String(schedule.subscription));
    expect(subscription).toMatchObject({ status: 'active', schedule: schedule.id });
    expect(subscription.items.data[0]).toMatchObject({ price: { id: price.id }, quantity: 2 });
    const invoice = await env.stripe.invoices.retrieve(String(subscription.latest_invoice));
    expect(invoice).toMatchObject({ amount_paid: 4000, billing_reason: 'subscription_create' });
  });

  it('for a customer starting later waits, listed as scheduled, then starts on time', async () => {
    const { price } = await createPlan(env.stripe, { amount: 2000 });
    const customer = await env.stripe.customers.create({ email: 'ada@example.com' });
    env.emulator.attachCard(customer.id);
    const startsAt = START + 10 * DAY;
    const schedule = await env.stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: startsAt,
      phases: [
        { items: [{ price: price.id }], duration: { interval: 'month', interval_count: 2 } },
      ],
    });
    expect(schedule).toMatchObject({ status: 'not_started', subscription: null });
    expect(schedule.phases[0]).toMatchObject({
      start_date: startsAt,
      end_date: Date.UTC(2030, 2, 25, 12) / 1000,
    });
    const waiting = await env.stripe.subscriptionSchedules.list({ scheduled: true });
    expect(waiting.data.map((s) => s.id)).toEqual([schedule.id]);

    env.emulator.clock.advanceTo(startsAt);
    const started = await env.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(started.status).toBe('active');
    const subscription = await env.stripe.subscriptions.retrieve(String(started.subscription));
    expect(subscription).toMatchObject({ status: 'active', start_date: startsAt });
    expect((await env.stripe.subscriptionSchedules.list({ scheduled: true })).data).toEqual([]);
  });
});

describe('reading schedules', () => {
  it('an unknown id answers 404 resource_missing', async () => {
    const error = await stripeError(env.stripe.subscriptionSchedules.retrieve('sub_sched_nope'));
    expect(error).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      message: "No such subscription_schedule: 'sub_sched_nope'",
    });
  });

  it('lists a customer’s schedules newest first', async () => {
    const { schedule, customerId } = await scheduled();
    const other = await env.stripe.customers.create({ email: 'grace@example.com' });
    const mine = await env.stripe.subscriptionSchedules.list({ customer: customerId });
    expect(mine.data.map((s) => s.id)).toEqual([schedule.id]);
    expect((await env.stripe.subscriptionSchedules.list({ customer: other.id })).data).toEqual([]);
  });
});

describe('updating phases', () => {
  it('cannot move the start of the current phase', async () => {
    const { pro, schedule } = await scheduled();
    const error = await stripeError(
      env.stripe.subscriptionSchedules.update(schedule.id, {
        phases: [{ items: [{ price: pro.id }], start_date: START + DAY, end_date: PERIOD_END }],
      }),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      param: 'phases[0][start_date]',
      message: 'You can not modify the start date of the current phase.',
    });
    const unchanged = await env.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(unchanged.phases).toEqual(schedule.phases);
  });

  it('needs the start of the first phase', async () => {
    const { pro, schedule } = await scheduled();
    const error = await stripeError(
      env.stripe.subscriptionSchedules.update(schedule.id, {
        phases: [{ items: [{ price: pro.id }], end_date: PERIOD_END }],
      }),
    );
    expect(error).toMatchObject({ code: 'parameter_missing', param: 'phases[0][start_date]' });
  });

  it('must be contiguous', async () => {
    const { pro, basic, schedule } = await scheduled();
    const error = await stripeError(
      env.stripe.subscriptionSchedules.update(schedule.id, {
        phases: [
          { items: [{ price: pro.id }], start_date: START, end_date: PERIOD_END },
          { items: [{ price: basic.id }], start_date: PERIOD_END + DAY },
        ],
      }),
    );
    expect(error).toMatchObject({ statusCode: 400, param: 'phases[1][start_date]' });
  });

  it('take either an end_date or a duration, and only the last may have neither', async () => {
    const { pro, basic, schedule } = await scheduled();
    const both = await stripeError(
      env.stripe.subscriptionSchedules.update(schedule.id, {
        phases: [
          {
            items: [{ price: pro.id }],
            start_date: START,
            end_date: PERIOD_END,
            duration: { interval: 'month' },
          },
        ],
      }),
    );
    expect(both).toMatchObject({ statusCode: 400, param: 'phases[0][end_date]' });
    const open = await stripeError(
      env.stripe.subscriptionSchedules.update(schedule.id, {
        phases: [
          { items: [{ price: pro.id }], start_date: START },
          { items: [{ price: basic.id }] },
        ],
      }),
    );
    expect(open).toMatchObject({ statusCode: 400, param: 'phases[0][end_date]' });
  });

  it('reject the removed `iterations` and any other unknown parameter', async () => {
    const { pro, basic, schedule } = await scheduled();
    const iterations = await stripeError(
      env.stripe.rawRequest('POST', `/v1/subscription_schedules/${schedule.id}`, {
        phases: [
          { items: [{ price: pro.id }], start_date: START, end_date: PERIOD_END },
          { items: [{ price: basic.id }], iterations: 1 },
        ],
      }),
    );
    expect(iterations).toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'phases[1][iterations]',
    });
    const typo = await stripeError(
      env.stripe.rawRequest('POST', `/v1/subscription_schedules/${schedule.id}`, {
        end_behaviour: 'cancel',
      }),
    );
    expect(typo).toMatchObject({ code: 'parameter_unknown', param: 'end_behaviour' });
    const unchanged = await env.stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(unchanged).toMatchObject({ end_behavior: 'release', phases: schedule.phases });
  });

  it('reject end behaviors the emulator does not model', async () => {
    const { schedule } = await scheduled();
    const error = await stripeError(
      env.stripe.subscriptionSchedules.update(schedule.id, { end_behavior: 'none' }),
    );
    expect(error).toMatchObject({ statusCode: 400, param: 'end_behavior' });
  });

  it('end the current phase now: the next phase starts mid-period, prorated', async () => {
    const { pro, basic, subscription, schedule } = await scheduled();
    env.emulator.clock.advanceTo(HALFWAY);
    const updated = await env.stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: pro.id }], start_date: START, end_date: 'now' },
        { items: [{ price: basic.id }], proration_behavior: 'always_invoice' },
      ],
    });
    expect(updated.current_phase).toEqual({
      start_date: HALFWAY,
      end_date: Date.UTC(2030, 1, 28, 0) / 1000,
    });
    const current = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(current.items.data[0]?.price.id).toBe(basic.id);
    const invoice = await env.stripe.invoices.retrieve(String(current.latest_invoice));
    expect(invoice).toMatchObject({ billing_reason: 'subscription_update', total: -1000 });
    expect(invoice.lines.data.map((line) => line.amount)).toEqual([-1500, 500]);
  });

  it('change the subscription now when the current phase’s items change', async () => {
    const { pro, subscription, schedule } = await scheduled();
    env.emulator.clock.advanceTo(HALFWAY);
    await env.stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: pro.id, quantity: 3 }], start_date: START, end_date: PERIOD_END },
      ],
      proration_behavior: 'always_invoice',
    });
    const current = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(current.items.data[0]?.quantity).toBe(3);
    const invoice = await env.stripe.invoices.retrieve(String(current.latest_invoice));
    expect(invoice.lines.data.map((line) => line.amount)).toEqual([-1500, 4500]);
  });

  it('set and unset metadata', async () => {
    const { schedule } = await scheduled();
    await env.stripe.subscriptionSchedules.update(schedule.id, {
      metadata: { change: 'downgrade', user: '42' },
    });
    const updated = await env.stripe.subscriptionSchedules.update(schedule.id, {
      metadata: { user: '' },
    });
    expect(updated.metadata).toEqual({ change: 'downgrade' });
  });

  it('replay with the same Idempotency-Key', async () => {
    const { price } = await createPlan(env.stripe, { amount: 3000 });
    const { subscription } = await subscribe(env, price);
    const params = { from_subscription: subscription.id };
    const first = await env.stripe.subscriptionSchedules.create(params, { idempotencyKey: 'k' });
    const again = await env.stripe.subscriptionSchedules.create(params, { idempotencyKey: 'k' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await env.stripe.subscriptionSchedules.list()).data).toHaveLength(1);
  });
});
