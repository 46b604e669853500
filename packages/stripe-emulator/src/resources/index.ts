// Every `/v1` route the emulator answers. Anything else gets Stripe's "Unrecognized request URL".
import type { EmulatorContext } from '../context.ts';
import { Router } from '../http/router.ts';
import { registerCatalogRoutes } from './catalog.ts';
import { registerCheckoutRoutes } from './checkout.ts';
import { registerCustomerRoutes } from './customers.ts';
import { registerInvoiceItemRoutes } from './invoice-items.ts';
import { registerInvoiceRoutes } from './invoices.ts';
import { registerPaymentMethodRoutes } from './payment-methods.ts';
import { registerPaymentRoutes } from './payments.ts';
import { registerPortalAndEventRoutes } from './portal-and-events.ts';
import { registerSubscriptionScheduleRoutes } from './subscription-schedules.ts';
import { registerSubscriptionRoutes } from './subscriptions.ts';

export function createApiRouter(ctx: EmulatorContext): Router {
  const router = new Router();
  registerCustomerRoutes(router, ctx);
  registerCatalogRoutes(router, ctx);
  registerCheckoutRoutes(router, ctx);
  registerSubscriptionRoutes(router, ctx);
  registerSubscriptionScheduleRoutes(router, ctx);
  registerInvoiceRoutes(router, ctx);
  registerInvoiceItemRoutes(router, ctx);
  registerPaymentMethodRoutes(router, ctx);
  registerPaymentRoutes(router, ctx);
  registerPortalAndEventRoutes(router, ctx);
  return router;
}
