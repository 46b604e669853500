/**
 * Keeps `schema.generated.ts` (the Kysely `Database` types) equal to what the migrations
 * produce: generate it from a freshly migrated database, or verify that it still matches.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

export interface CodegenResult {
  ok: boolean;
  output: string;
}

export async function runCodegen(
  databaseUrl: string,
  mode: 'write' | 'verify',
): Promise<CodegenResult> {
  const cli = createRequire(import.meta.url).resolve('kysely-codegen/dist/cli/bin.js');
  const args = [cli, '--config-file', '.kysely-codegenrc.json', '--url', databaseUrl];
  if (mode === 'verify') args.push('--verify');
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: packageDir });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const detail =
      error instanceof Error && 'stdout' in error
        ? `${error.stdout}${'stderr' in error ? error.stderr : ''}`
        : String(error);
    return { ok: false, output: detail };
  }
}
