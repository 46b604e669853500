/**
 * src/server.ts as its own process, for tests of what a real start does (environment
 * defaults, stdout). The environment is exactly what the test passes plus PATH: nothing of
 * the test runner's own (NODE_ENV=test included) leaks in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const serverEntry = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

export interface ServerProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  /** Resolves once stdout contains `text` (fails after `timeoutMs`). */
  waitForStdout(text: string, timeoutMs?: number): Promise<void>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const check of waiters) check();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const waitForStdout = (text: string, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no "${text}" on stdout after ${timeoutMs} ms:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      const check = () => {
        if (!stdout.includes(text)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      child.once('exit', (code) =>
        reject(new Error(`server exited with ${code}:\n${stdout}\n${stderr}`)),
      );
      check();
    });
  await waitForStdout('listening on', 60_000);
  return { child, stdout: () => stdout, waitForStdout };
}
