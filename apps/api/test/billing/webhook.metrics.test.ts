/**
 * GET /metrics counts webhook events by type and outcome, with bounded labels (a type we do
 * not handle is `other`, a body that failed the signature `unverified`), and gauges the
 * mirrored subscriptions by status, read at scrape time.
 */
import { describe, expect, it } from 'vitest';
import {
  createPaidPlans,
  createWebhookTestApp,
  postEvent,
  subscribedUser,
} from './webhook-testing';

async function scrape(w: Awaited<ReturnType<typeof createWebhookTestApp>>) {
  return (await w.t.app.request('/metrics')).text();
}

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('webhook metrics', () => {
  it('counts events by outcome and gauges subscriptions by status', async () => {
    const w = await createWebhookTestApp();
    const prices = await createPaidPlans(w);
    await subscribedUser(w, prices.team);
    await subscribedUser(w, prices.scale);
    await postEvent(w, '{}', { 'stripe-signature': 't=1,v1=00' });
    await postEvent(w, {
      id: 'evt_strange1',
      object: 'event',
      type: 'made.up_type',
      created: 1,
      livemode: false,
      data: { object: { object: 'thing' } },
    });

    const text = await scrape(w);
    expect(sample(text, 'billing_subscriptions', 'status="active"')).toBe(2);
    const completed = 'type="checkout.session.completed"';
    expect(sample(text, 'stripe_webhook_events_total', `${completed},outcome="received"`)).toBe(2);
    expect(sample(text, 'stripe_webhook_events_total', `${completed},outcome="applied"`)).toBe(2);
    expect(
      sample(text, 'stripe_webhook_events_total', 'type="other",outcome="ignored"'),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'stripe_webhook_events_total', 'type="unverified",outcome="rejected"'),
    ).toBe(1);
    expect(text).not.toContain('made.up_type');
  });
});
