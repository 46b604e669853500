import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.ts';

export default mergeConfig(
  packageTestConfig({ globalSetup: ['@tollbooth/db/vitest-global-setup'] }),
  defineConfig({
    // The examples' imports, as tsconfig.json's paths resolve them for the type check.
    resolve: {
      alias: {
        '@tollbooth/sdk': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
        '@/': fileURLToPath(new URL('./examples/next-app/', import.meta.url)),
      },
    },
    test: {
      // Type-level specs (*.test-d.ts) run through tsc and count as tests.
      typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    },
  }),
);
