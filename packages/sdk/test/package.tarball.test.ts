/**
 * What a Next.js app outside this monorepo gets from `npm install @tollbooth/sdk`: the packed
 * tarball alone plus its declared dependencies. The consumer below is type-checked with
 * `skipLibCheck: false`, so the SDK's bundled declarations must stand on their own.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
let workDir: string;
let consumerDir: string;
let files: string[];

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/** The directory of an installed package, found from the SDK as Node would find it. */
function installedPackageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [sdkDir] }));
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'tollbooth-sdk-consumer-'));
  const packDir = path.join(workDir, 'pack');
  mkdirSync(packDir);
  execFileSync('pnpm', ['pack', '--pack-destination', packDir], { cwd: sdkDir, stdio: 'pipe' });
  const [tarball] = readdirSync(packDir);
  if (!tarball) throw new Error('pnpm pack produced nothing');

  consumerDir = path.join(workDir, 'consumer');
  const installed = path.join(consumerDir, 'node_modules', '@tollbooth', 'sdk');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', [
    '-xzf',
    path.join(packDir, tarball),
    '-C',
    installed,
    '--strip-components=1',
  ]);
  files = listFiles(installed).sort();

  const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    const target = path.join(consumerDir, 'node_modules', ...dependency.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(installedPackageDir(dependency), target, 'dir');
  }
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the published @tollbooth/sdk package', () => {
  it('contains only the built files and its manifest', () => {
    expect(files).toEqual(
      expect.arrayContaining(['dist/index.d.ts', 'dist/index.js', 'package.json']),
    );
    expect(files.filter((file) => file.startsWith('src/') || file.startsWith('test/'))).toEqual([]);
  });

  it('declares real versions instead of workspace or catalog references', () => {
    const manifest = readFileSync(
      path.join(consumerDir, 'node_modules/@tollbooth/sdk/package.json'),
      'utf8',
    );

    expect(manifest).not.toMatch(/workspace:|catalog:/);
    expect(JSON.parse(manifest).dependencies).not.toHaveProperty('@tollbooth/api');
  });

  it('type-checks a consumer that has only the SDK and its dependencies installed', () => {
    writeFileSync(
      path.join(consumerDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          // What create-next-app writes; tRPC's own types need esnext's Disposable.
          lib: ['dom', 'dom.iterable', 'esnext'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        include: ['app.ts'],
      }),
    );
    writeFileSync(
      path.join(consumerDir, 'app.ts'),
      `import {
  completeOAuthSignIn,
  createTollboothClient,
  createTollboothServerClient,
  isTollboothError,
  type RouterOutputs,
  startOAuthSignIn,
} from '@tollbooth/sdk';

const client = createTollboothClient({ url: 'https://api.example.com' });
export function signInWithGitHub(): Promise<string> {
  return startOAuthSignIn({ url: 'https://api.example.com', provider: 'github', redirectTo: 'https://app.example.com/done' });
}
export async function finishSignIn(code: string): Promise<string> {
  const { user } = await completeOAuthSignIn(client, { code });
  return user.email;
}
// @ts-expect-error unknown providers do not compile
startOAuthSignIn({ url: 'https://api.example.com', provider: 'myspace' });
export async function load(): Promise<string> {
  try {
    const info: RouterOutputs['system']['info'] = await client.system.info.query();
    const reachable: boolean = info.database.reachable;
    return reachable ? info.time : info.version;
  } catch (error) {
    if (isTollboothError(error, 'NOT_FOUND')) return error.message;
    throw error;
  }
}
// @ts-expect-error unknown procedures do not compile
client.system.missing.query();
const server = createTollboothServerClient({ url: 'https://api.example.com', apiKey: 'tb_sk_example' });
export async function charge(userId: string): Promise<number> {
  const { balance } = await server.credits.debit.mutate({ userId, amount: 1, idempotencyKey: 'k' });
  return balance;
}
`,
    );
    const tsc = require.resolve('typescript/bin/tsc', { paths: [sdkDir] });

    const diagnostics = (() => {
      try {
        execFileSync(process.execPath, [tsc, '-p', consumerDir], {
          stdio: 'pipe',
          encoding: 'utf8',
        });
        return '';
      } catch (error) {
        return error instanceof Error && 'stdout' in error ? String(error.stdout) : String(error);
      }
    })();

    expect(diagnostics).toBe('');
  });

  it('imports at run time with only its dependencies installed', () => {
    writeFileSync(
      path.join(consumerDir, 'run.mjs'),
      `import { createTollboothClient, isTollboothError, startOAuthSignIn } from '@tollbooth/sdk';
const client = createTollboothClient({ url: 'http://127.0.0.1:9' });
const items = new Map();
const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v), removeItem: (k) => items.delete(k) };
const start = new URL(await startOAuthSignIn({ url: 'http://127.0.0.1:9', provider: 'github', storage }));
console.log(typeof client.system.info.query, isTollboothError(new Error('x')), start.searchParams.get('code_challenge').length, items.size);`,
    );

    const output = execFileSync(process.execPath, ['run.mjs'], {
      cwd: consumerDir,
      encoding: 'utf8',
    });

    expect(output.trim()).toBe('function false 43 1');
  });
});
