import { defineConfig } from 'tsup';

/** The JavaScript. Types are bundled by scripts/bundle-types.ts (tsup cannot inline TS sources). */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'es2022',
  platform: 'neutral',
  clean: true,
  sourcemap: true,
  external: ['@trpc/client', '@trpc/server'],
});
