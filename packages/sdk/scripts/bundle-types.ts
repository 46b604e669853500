/**
 * Builds `dist/index.d.ts` as one self-contained file.
 *
 * 1. tsc emits declarations for the SDK and for the server modules its types reach
 *    (`@tollbooth/api`'s router), with `stripInternal`: members marked `@internal` (the tRPC
 *    context's server dependencies) vanish, so no database or logger types follow.
 * 2. rollup-plugin-dts inlines those declarations into one file.
 * 3. The result may import only `@trpc/client` and `@trpc/server` (the SDK's dependencies);
 *    anything else means a server type leaked into the public API, and the build fails.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const typesDir = path.join(sdkDir, '.types');
const outFile = path.join(sdkDir, 'dist', 'index.d.ts');
const ALLOWED_IMPORTS = new Set(['@trpc/client', '@trpc/server']);
const WORKSPACE_TYPES: Record<string, string> = {
  '@tollbooth/api/types': path.join(typesDir, 'apps/api/src/types.d.ts'),
};

rmSync(typesDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.types.json'], {
  cwd: sdkDir,
  stdio: 'inherit',
});

const bundle = await rollup({
  input: path.join(typesDir, 'packages/sdk/src/index.d.ts'),
  plugins: [
    { name: 'workspace-types', resolveId: (id) => WORKSPACE_TYPES[id] ?? null },
    dts({ respectExternal: false }),
  ],
  external: (id) => ALLOWED_IMPORTS.has(id) || id.startsWith('@trpc/'),
  onwarn(warning) {
    // Server modules that define output types also import server libraries for their
    // functions; those imports are tree-shaken away. Whatever survives is caught below.
    if (warning.code === 'UNRESOLVED_IMPORT') return;
    throw new Error(`bundling types: ${warning.message}`);
  },
});
await bundle.write({ file: outFile, format: 'es' });
await bundle.close();
rmSync(typesDir, { recursive: true, force: true });

const imported = [...readFileSync(outFile, 'utf8').matchAll(/from ['"]([^'"]+)['"]/g)].map(
  (m) => m[1],
);
const leaked = imported.filter((id) => id !== undefined && !ALLOWED_IMPORTS.has(id));
if (leaked.length > 0) {
  throw new Error(
    `dist/index.d.ts imports ${leaked.join(', ')}: a server type leaked into the SDK's public types.`,
  );
}
console.log(`types bundled: ${path.relative(sdkDir, outFile)}`);
