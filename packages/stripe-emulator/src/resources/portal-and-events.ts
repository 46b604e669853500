// /v1/billing_portal/sessions (create: a hosted page for the customer, pages/portal.ts) and
// /v1/events (retrieve, list with `type` — including `customer.*` wildcards — or `types[]`).
import type Stripe from 'stripe';
import { requireCustomer, requireEvent } from '../billing/lookup.ts';
import type { EmulatorContext } from '../context.ts';
import { paginate, readPage } from '../http/list.ts';
import { pathParam, type Router } from '../http/router.ts';
import { buildPortalSession, newPortalSessionId } from '../objects/checkout.ts';
import { newestFirst } from '../store.ts';
import { readUrl } from './fields.ts';

/** The emulator has one portal configuration, like an account that never customised its own. */
export const DEFAULT_PORTAL_CONFIGURATION = 'bpc_emulator_default';

function typeMatches(type: string, pattern: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

export function registerPortalAndEventRoutes(router: Router, ctx: EmulatorContext): void {
  router.post('/v1/billing_portal/sessions', (p) => {
    const customerId = p.requiredString('customer');
    const returnUrl = readUrl(p, 'return_url') ?? null;
    const configuration = p.string('configuration') || DEFAULT_PORTAL_CONFIGURATION;
    p.string('locale');
    // Deep links into a flow are accepted; the emulator always opens the portal's home page.
    p.raw('flow_data');
    return () => {
      const customer = requireCustomer(ctx, customerId, 'customer');
      const id = newPortalSessionId();
      const session = buildPortalSession(ctx.clock.now(), {
        id,
        customer: customer.id,
        returnUrl,
        url: `${ctx.settings.publicUrl}/p/session/${id}`,
        configuration,
      });
      ctx.store.portalSessions.set(id, session);
      ctx.events.emit('billing_portal.session.created', session);
      return session;
    };
  });

  router.get('/v1/events/:id', (_p, path) => () => requireEvent(ctx, pathParam(path)));

  router.get('/v1/events', (p) => {
    const type = p.string('type');
    const types = p.stringArray('types');
    p.boolean('delivery_success');
    const page = readPage(p);
    return () => {
      const matches = (event: Stripe.EventBase) =>
        (type === undefined || typeMatches(event.type, type)) &&
        (types === undefined || types.some((pattern) => typeMatches(event.type, pattern)));
      return paginate(newestFirst(ctx.store.events).filter(matches), page, '/v1/events', 'event');
    };
  });
}
