import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultMigrationsDir, migrate } from '@tollbooth/db';
import { ensureDatabase, startEmbeddedPostgres } from '@tollbooth/db/embedded';
import { freePort } from '@tollbooth/db/testing';

/**
 * A throwaway cluster with durability on (fsync, synchronous commit), as PERFORMANCE.md's
 * figures were measured: a bench on an fsync-off database would flatter every write.
 */
export async function startBenchDatabase() {
  const base = await mkdtemp(path.join(tmpdir(), 'tollbooth-bench-'));
  await chmod(base, 0o755);
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(base, 'data'),
    port: await freePort(),
    persistent: false,
    durable: true,
  });
  await ensureDatabase(cluster.url(), 'bench');
  const url = cluster.url('bench');
  await migrate({ connectionString: url, migrationsDir: defaultMigrationsDir() });
  return {
    url,
    async stop() {
      await cluster.stop();
      await rm(base, { recursive: true, force: true });
    },
  };
}
