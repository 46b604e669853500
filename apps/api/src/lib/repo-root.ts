/**
 * The repository root, where development keeps its state (`.data/`). Found by walking up to
 * `pnpm-workspace.yaml` rather than by counting `..`: the same module runs from `src/` (tsx)
 * and bundled from `dist/`, at different depths, and a fixed count lands in the wrong place
 * in one of them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MARKER = 'pnpm-workspace.yaml';

let cached: string | undefined;

export function repoRoot(): string {
  if (cached) return cached;
  cached = findUp(path.dirname(fileURLToPath(import.meta.url))) ?? process.cwd();
  return cached;
}

/** Outside a checkout (an installed bundle) there is no marker: undefined. */
function findUp(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, MARKER))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A path under the repository's `.data/` folder (development state: keys, mail, database). */
export function devDataPath(...segments: string[]): string {
  return path.join(repoRoot(), '.data', ...segments);
}
