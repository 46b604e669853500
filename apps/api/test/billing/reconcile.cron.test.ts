/**
 * Reconciliation runs hourly in the worker: the crontab graphile-worker is started with holds
 * it, and the queued job runs the same service as `pnpm billing:reconcile`.
 */
import { parseCrontab } from 'graphile-worker';
import { describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/jobs/queue';
import { CRONTAB } from '../../src/jobs/worker';
import {
  createPaidPlans,
  createWebhookTestApp,
  mirrorMatchesStripe,
  subscribedUser,
} from './webhook-testing';

describe('reconciliation in the worker', () => {
  it('is in the worker crontab once an hour', () => {
    const reconcile = parseCrontab(CRONTAB).filter((item) => item.task === 'billing_reconcile');
    expect(reconcile).toHaveLength(1);
    expect(reconcile[0]?.match).toBeTypeOf('function');
    const at = (hour: number, min: number) =>
      reconcile[0]?.match({ min, hour, date: 15, month: 1, dow: 2 }) ?? false;
    // 41 past every hour, and only then.
    expect(at(10, 41)).toBe(true);
    expect(at(23, 41)).toBe(true);
    expect(at(10, 42)).toBe(false);
  });

  it('the billing_reconcile job applies what the webhook never received', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    const prices = await createPaidPlans(w);
    const { subscriptionId } = await subscribedUser(w, prices.team);

    await enqueueJob(w.t.deps.db, 'billing_reconcile', {});
    await w.t.drainJobs();

    expect((await mirrorMatchesStripe(w, subscriptionId)).status).toBe('active');
  });
});
