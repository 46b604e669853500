/** billing.*: the plan catalog, the journey of a paying user (journey/), and the summary. */
import { router } from '../trpc/procedures';
import { plansRouter } from './catalog/plans.router';
import { journeyRouters } from './journey/journey.router';
import { summaryProcedure } from './summary/summary.router';
import { webhooksRouter } from './webhooks/webhooks.router';

export const billingRouter = router({
  plans: plansRouter,
  ...journeyRouters,
  summary: summaryProcedure,
  webhooks: webhooksRouter,
});
