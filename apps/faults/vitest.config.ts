import { mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

/**
 * One scenario at a time: each starts its own processes and loads the machine on purpose, so
 * two at once would measure each other. Every wait inside is bounded by the scenario itself;
 * the runner's timeouts are the last resort.
 */
export default mergeConfig(packageTestConfig({ globalSetup: ['./test/global-setup.ts'] }), {
  test: {
    fileParallelism: false,
    // The 10,000-debit scenario took 137 s on two cores shared with other work.
    testTimeout: 400_000,
    hookTimeout: 60_000,
  },
});
