/**
 * Webhook ingestion: signed events posted to POST /webhooks/stripe — distinct (stored once),
 * distinct and applied (an event about a real emulator customer), one event again (duplicate)
 * — beside a raw Hono route doing HMAC verify + one INSERT. PERFORMANCE.md's target is an
 * absolute: ≥ 1,000 distinct events/s (verify + store once + apply) on this machine class.
 */
import { httpFigure, type SuiteDefinition } from '../lib/suite';
import { distinctEvents, duplicateEvent } from '../lib/webhooks';

export const webhooks: SuiteDefinition = {
  name: 'webhooks',
  async setup({ api, baseline, emulator }) {
    // One event stored before the duplicate figure repeats it; one customer in Stripe for
    // the applied figure (linked to no account, so nothing else moves).
    const duplicate = duplicateEvent('dup');
    const stored = await fetch(`${api.url}/webhooks/stripe`, duplicate.first());
    if (!stored.ok) throw new Error(`the API refused a signed webhook: ${stored.status}`);
    const customer = await emulator.createCustomer();
    const figures = [
      httpFigure(
        'webhook.distinct',
        'webhook: distinct events, stored once',
        api.url,
        distinctEvents('api'),
      ),
      httpFigure(
        'webhook.applied',
        'webhook: distinct customer.updated, applied',
        api.url,
        distinctEvents('applied', 'customer.updated', customer),
        { target: 1000 },
      ),
      httpFigure(
        'webhook.duplicate',
        'webhook: one event again (duplicate)',
        api.url,
        duplicate.spec,
      ),
      httpFigure(
        'raw.webhook',
        'raw Hono: HMAC verify + one INSERT',
        baseline.url,
        distinctEvents('raw'),
      ),
    ];
    return {
      figures,
      ratios: [
        {
          label: 'webhook distinct / raw verify+insert',
          numerator: 'webhook.distinct',
          denominator: 'raw.webhook',
        },
        {
          label: 'webhook applied / raw verify+insert',
          numerator: 'webhook.applied',
          denominator: 'raw.webhook',
        },
        {
          label: 'webhook duplicate / raw verify+insert',
          numerator: 'webhook.duplicate',
          denominator: 'raw.webhook',
        },
      ],
    };
  },
};
