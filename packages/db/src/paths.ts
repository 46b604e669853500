import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The folder of `.sql` migrations. From source (`packages/db/src`) it is `../migrations`; a
 * bundled server (`apps/api/dist`) carries a copy at `./migrations` beside the bundle,
 * because `import.meta.url` then points at the bundle, not at this file.
 */
export function defaultMigrationsDir(): string {
  const candidates = [
    new URL('../migrations', import.meta.url),
    new URL('./migrations', import.meta.url),
  ];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(dir)) return dir;
  }
  throw new Error(
    `No migrations folder found at ${candidates.map((c) => fileURLToPath(c)).join(' or ')}`,
  );
}

/** Repository root, for the dev cluster under `.data/`. Only meaningful when run from source. */
export function repoRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}
