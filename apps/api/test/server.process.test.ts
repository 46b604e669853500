import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tollbooth/db/testing';
import { createTestDatabase } from '@tollbooth/db/vitest';
import { afterEach, describe, expect, it } from 'vitest';

const serverEntry = fileURLToPath(new URL('../src/server.ts', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Runs src/server.ts as its own process and resolves once it logs that it listens. */
async function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => output.includes('listening on') && resolve());
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('the server process', () => {
  it('serves the database-backed health check and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = await startServer({
      DATABASE_URL: await createTestDatabase(),
      PORT: String(port),
    });

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    server.child.kill('SIGTERM');

    expect(health.status).toBe(200);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
  });

  it('starts with no DATABASE_URL on its own embedded Postgres and stops it on SIGTERM', async () => {
    const base = await mkdtemp(path.join(tmpdir(), 'tollbooth-devdb-'));
    await chmod(base, 0o755);
    const dataDir = path.join(base, 'data');
    try {
      const port = await freePort();
      const server = await startServer({
        PORT: String(port),
        NODE_ENV: 'development',
        EMBEDDED_POSTGRES_DIR: dataDir,
        EMBEDDED_POSTGRES_PORT: String(await freePort()),
      });

      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      const info = await fetch(`http://127.0.0.1:${port}/trpc/system.info`);
      server.child.kill('SIGTERM');

      expect(health.status).toBe(200);
      expect(await info.json()).toMatchObject({
        result: { data: { database: { reachable: true } } },
      });
      expect(await server.exited).toBe(0);
      // A cleanly stopped cluster removes its pid file; an abandoned one would leave it.
      expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
      expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  }, 60_000);
});
