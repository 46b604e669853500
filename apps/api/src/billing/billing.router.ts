/** billing.*: the plan catalog, and the journey of a paying user (journey/). */
import { router } from '../trpc/procedures';
import { plansRouter } from './catalog/plans.router';
import { journeyRouters } from './journey/journey.router';
import { webhooksRouter } from './webhooks/webhooks.router';

export const billingRouter = router({
  plans: plansRouter,
  ...journeyRouters,
  webhooks: webhooksRouter,
});
