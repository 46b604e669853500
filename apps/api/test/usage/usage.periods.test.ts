import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { failure } from '../support/accounts';
import { setFreePlan, usageApp } from './usage-testing';

const op = { operation: 'workflow_generation' } as const;

describe('usage.record: billing periods', () => {
  it('on the free plan, the allowance is per calendar month (UTC) and starts over on the 1st', async () => {
    const clock = createManualClock(new Date('2026-03-31T23:59:00Z'));
    const { t, userId, server } = await usageApp({ clock });
    await setFreePlan(t, 1, 'refuse');

    const march = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'm1' });
    const marchOver = await failure(
      server.usage.record.mutate({ ...op, userId, idempotencyKey: 'm2' }),
    );
    clock.set(new Date('2026-04-01T00:00:00Z'));
    const april = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'a1' });

    expect(march.record.period).toEqual({
      start: '2026-03-01T00:00:00.000Z',
      end: '2026-04-01T00:00:00.000Z',
    });
    expect(marchOver).toMatchObject({
      appCode: 'QUOTA_EXCEEDED',
      data: { details: { periodEnd: '2026-04-01T00:00:00.000Z' } },
    });
    expect(april).toMatchObject({
      outcome: 'included',
      record: { period: { start: '2026-04-01T00:00:00.000Z', end: '2026-05-01T00:00:00.000Z' } },
    });
  });

  it("on a paid plan, the allowance is the plan's and the period is the mirrored subscription's", async () => {
    const clock = createManualClock(new Date('2026-05-20T12:00:00Z'));
    const { t, userId, server } = await usageApp({ clock });
    await setFreePlan(t, 0, 'refuse');
    const plan = await t.deps.db
      .insertInto('plans')
      .values({
        code: 'pro',
        name: 'Pro',
        price_cents: 1_000,
        included_operations: 2,
        overage_mode: 'refuse',
        sync_state: 'synced',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.deps.db
      .insertInto('subscriptions')
      .values({
        id: 'sub_usage1',
        user_id: userId,
        stripe_customer_id: 'cus_usage1',
        status: 'active',
        plan_id: plan.id,
        current_period_start: new Date('2026-05-10T08:00:00Z'),
        current_period_end: new Date('2026-06-10T08:00:00Z'),
        stripe_created: new Date('2026-05-10T08:00:00Z'),
        synced_at: new Date('2026-05-10T08:00:00Z'),
      })
      .execute();

    const first = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'p1' });
    const second = await server.usage.record.mutate({ ...op, userId, idempotencyKey: 'p2' });
    const over = await failure(server.usage.record.mutate({ ...op, userId, idempotencyKey: 'p3' }));

    expect(first).toMatchObject({
      outcome: 'included',
      remaining: { included: 1 },
      record: { period: { start: '2026-05-10T08:00:00.000Z', end: '2026-06-10T08:00:00.000Z' } },
    });
    expect(second).toMatchObject({ outcome: 'included', remaining: { included: 0 } });
    expect(over).toMatchObject({ appCode: 'QUOTA_EXCEEDED', data: { details: { plan: 'pro' } } });
  });
});
