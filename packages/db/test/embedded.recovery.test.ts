import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedCluster, startEmbeddedPostgres } from '../src/embedded';
import { freePort } from '../src/testing';
import { query } from './helpers';

let base: string;
let dataDir: string;
const running: EmbeddedCluster[] = [];

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'tollbooth-embedded-'));
  await chmod(base, 0o755);
  dataDir = path.join(base, 'data');
});

afterEach(async () => {
  for (const cluster of running.splice(0)) await cluster.stop();
  await rm(base, { recursive: true, force: true });
});

async function start(): Promise<EmbeddedCluster> {
  const cluster = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    persistent: true,
    durable: false,
  });
  running.push(cluster);
  return cluster;
}

async function stop(cluster: EmbeddedCluster) {
  await cluster.stop();
  running.splice(running.indexOf(cluster), 1);
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

/** Replaces the pid on the first line of a real pid file, as a crash would leave it. */
async function writePidFile(pid: number, template: string) {
  const lines = template.split('\n');
  lines[0] = String(pid);
  await writeFile(path.join(dataDir, 'postmaster.pid'), lines.join('\n'));
}

describe('the persistent embedded cluster', () => {
  it('finds its data again after a stop and a new start', async () => {
    const first = await start();
    await query(
      first.url(),
      'CREATE TABLE kept (value text); INSERT INTO kept VALUES ($$still here$$)',
    );
    await stop(first);

    const second = await start();

    expect(await query(second.url(), 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
  });

  it('starts over a stale pid file whose process is gone', async () => {
    const first = await start();
    const pidFile = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
    await stop(first);
    await writePidFile(await deadPid(), pidFile);

    const second = await start();

    expect(await query(second.url(), 'SELECT 1 AS up')).toEqual([{ up: 1 }]);
  });

  it('starts over a pid file whose pid now belongs to another program', async () => {
    const first = await start();
    const pidFile = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
    await stop(first);
    // Postgres treats a pid it may signal as a live postmaster; as root the cluster runs as
    // the postgres user, so the impostor must run as that user for the trap to be real.
    const asPostgres =
      process.getuid?.() === 0
        ? {
            uid: Number(execFileSync('id', ['-u', 'postgres'])),
            gid: Number(execFileSync('id', ['-g', 'postgres'])),
          }
        : {};
    const impostor = spawn('sleep', ['60'], asPostgres);
    try {
      if (impostor.pid === undefined) throw new Error('no pid');
      await writePidFile(impostor.pid, pidFile);

      const second = await start();

      expect(await query(second.url(), 'SELECT 1 AS up')).toEqual([{ up: 1 }]);
    } finally {
      impostor.kill('SIGKILL');
    }
  });

  it('stops the orphaned postmaster of a crashed process and starts with its data', async () => {
    const port = await freePort();
    const script = fileURLToPath(new URL('./fixtures/start-cluster.ts', import.meta.url));
    const crashed = spawn(process.execPath, ['--import', 'tsx', script, dataDir, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      crashed.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      crashed.on('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
    });
    const orphanUrl = `postgres://postgres:tollbooth@localhost:${port}/postgres`;
    await query(orphanUrl, 'CREATE TABLE survived (id int); INSERT INTO survived VALUES (7)');
    crashed.kill('SIGKILL');
    await new Promise((resolve) => crashed.on('exit', resolve));
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(true);

    const restarted = await start();

    expect(await query(restarted.url(), 'SELECT id FROM survived')).toEqual([{ id: 7 }]);
  });
});
