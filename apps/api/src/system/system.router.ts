import { publicProcedure, router } from '../trpc/procedures';
import { getSystemInfo } from './system.service';

export const systemRouter = router({
  /** Name, version, server time and whether the database answers. */
  info: publicProcedure.query(({ ctx }) => getSystemInfo(ctx.deps)),
});
