import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/cluster-exit.ts', import.meta.url));
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(path.dirname(dir), { recursive: true, force: true });
});

/** Runs the fixture; resolves with its exit code or signal and its cluster's postmaster pid. */
function runFixture(mode: string, onReady?: (child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let postmaster = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    if (postmaster) return;
    const [dataDir = '', pid = ''] = chunk.toString().trim().split(' ');
    dataDirs.push(dataDir);
    postmaster = Number(pid);
    onReady?.(child);
  });
  return new Promise<{ code: number | null; signal: string | null; postmaster: number }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, postmaster })),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

async function eventuallyGone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 100 && alive(pid); attempt++) await sleep(100);
  return !alive(pid);
}

describe('a process that ran an embedded cluster', () => {
  it('keeps the exit code it set (a failing test run must not exit 0)', async () => {
    const result = await runFixture('stop-then-exit-code');

    expect(result.code).toBe(3);
  });

  it('keeps its exit code and shuts the postmaster down when it exits without stopping it', async () => {
    const result = await runFixture('exit-without-stop');

    expect(result.code).toBe(4);
    expect(result.postmaster).toBeGreaterThan(0);
    expect(await eventuallyGone(result.postmaster)).toBe(true);
  });

  it('stops the cluster and then ends by the signal when it is sent SIGTERM', async () => {
    const result = await runFixture('wait', (child) => child.kill('SIGTERM'));

    expect(result.signal).toBe('SIGTERM');
    expect(result.postmaster).toBeGreaterThan(0);
    expect(await eventuallyGone(result.postmaster)).toBe(true);
  });
});
