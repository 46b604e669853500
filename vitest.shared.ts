import { defineConfig } from 'vitest/config';

/** Shared by every package: one PostgreSQL per run, and a JSON report for `.ci/run`'s tally. */
export function packageTestConfig(options: { globalSetup?: string[] } = {}) {
  return defineConfig({
    test: {
      globalSetup: options.globalSetup ?? [],
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  });
}
