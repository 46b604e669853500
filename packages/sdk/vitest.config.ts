import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

export default mergeConfig(
  packageTestConfig({ globalSetup: ['@tollbooth/db/vitest-global-setup'] }),
  defineConfig({
    test: {
      // Type-level specs (*.test-d.ts) run through tsc and count as tests.
      typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    },
  }),
);
