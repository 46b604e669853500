/**
 * Events that could not be applied are visible to admins (billing.webhooks.failed), with the
 * reason, and can be retried through the webhook's own path (billing.webhooks.retry).
 */
import { describe, expect, it } from 'vitest';
import { failure, registerAccount } from '../support/accounts';
import { createWebhookTestApp, postEvent } from './webhook-testing';

function subscriptionEvent(id: string, subscription: string, created: number) {
  return {
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.subscription.updated',
    data: { object: { id: subscription, object: 'subscription', customer: 'cus_nobody1' } },
  };
}

describe('billing.webhooks (admin)', () => {
  it('lists failed events newest first with the reason, page by page', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    for (const n of [1, 2, 3]) {
      const response = await postEvent(
        w,
        subscriptionEvent(`evt_missing${n}`, `sub_missing${n}`, 1_900_000_000 + n),
      );
      expect(response.status).toBe(200);
    }
    await postEvent(w, { not: 'an event' });

    const first = await w.admin.billing.webhooks.failed.query({ limit: 2 });
    expect(first.events.map((event) => [event.id, event.type, event.objectId])).toEqual([
      [expect.stringMatching(/^evt_unreadable_/), 'unknown', null],
      ['evt_missing3', 'customer.subscription.updated', 'sub_missing3'],
    ]);
    expect(first.events[1]?.reason).toBe('subscription sub_missing3 does not exist in Stripe');
    expect(first.events[0]?.reason).toMatch(/^not a Stripe event: /);
    const second = await w.admin.billing.webhooks.failed.query({
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(second.events.map((event) => event.id)).toEqual(['evt_missing2', 'evt_missing1']);
    expect(second.nextCursor).toBeNull();
  });

  it('retries a failed event once asked, and refuses one that is not failed', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    await postEvent(w, subscriptionEvent('evt_missing1', 'sub_missing1', 1_900_000_000));

    // The subscription still does not exist: it stays failed, and listed.
    expect(await w.admin.billing.webhooks.retry.mutate({ id: 'evt_missing1' })).toEqual({
      id: 'evt_missing1',
      outcome: 'failed',
    });
    expect((await w.admin.billing.webhooks.failed.query()).events).toHaveLength(1);

    const ignoredEvent = { ...subscriptionEvent('evt_other1', 'sub_x', 1), type: 'coupon.created' };
    await postEvent(w, ignoredEvent);
    const refused = await failure(w.admin.billing.webhooks.retry.mutate({ id: 'evt_other1' }));
    expect(refused).toMatchObject({ code: 'CONFLICT', appCode: 'STRIPE_EVENT_NOT_FAILED' });
    const missing = await failure(w.admin.billing.webhooks.retry.mutate({ id: 'evt_nothere' }));
    expect(missing).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is for admins only', async () => {
    const w = await createWebhookTestApp({ deliver: false });
    const account = await registerAccount(w.t);
    const client = w.t.client({ accessToken: account.accessToken });
    expect(await failure(client.billing.webhooks.failed.query())).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await failure(w.t.client().billing.webhooks.failed.query())).toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});
