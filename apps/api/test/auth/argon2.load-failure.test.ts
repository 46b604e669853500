import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tollbooth/db/testing';
import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { NativeModuleError } from '../../src/auth/passwords/argon2-binding';
import { createProcessPasswordHasher } from '../../src/auth/passwords/password-hasher';
import { createLogger } from '../../src/lib/logger';

const serverEntry = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const breakArgon2 = fileURLToPath(new URL('../fixtures/break-argon2.mjs', import.meta.url));
const crashingHelper = fileURLToPath(
  new URL('../fixtures/helper-crashes-on-start.mjs', import.meta.url),
);

/** Runs the server to its end and returns its exit status and everything it printed. */
async function runServerUntilExit(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: await createTestDatabase(),
      PORT: String(await freePort()),
      NODE_OPTIONS: `--import ${breakArgon2}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

describe('an argon2 binding that cannot load', () => {
  it.each(['inline', 'process'])(
    'stops the server at start-up with one line that says how to fix it (PASSWORD_HASHER=%s)',
    async (hasher) => {
      const result = await runServerUntilExit({ PASSWORD_HASHER: hasher });

      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('listening on');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("argon2's native module failed to load");
      expect(lines[0]).toContain('simulated');
      expect(lines[0]).toContain('pnpm rebuild argon2');
    },
  );

  it('reports a helper that dies on load (a crashing binary) as one line from ready()', async () => {
    const hasher = createProcessPasswordHasher(createLogger({ level: 'silent' }), {
      entry: { path: crashingHelper, execArgv: [] },
    });
    try {
      const failure = await hasher.ready().then(
        () => null,
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(NativeModuleError);
      expect(String(failure)).toContain('SIGSEGV');
      expect(String(failure)).not.toContain('\n');
    } finally {
      await hasher.close?.();
    }
  });
});
