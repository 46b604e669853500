/** billing.*: the plan catalog now; checkout, subscriptions and invoices join it here. */
import { router } from '../trpc/procedures';
import { plansRouter } from './catalog/plans.router';

export const billingRouter = router({
  plans: plansRouter,
});
