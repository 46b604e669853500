import { defaultMigrationsDir, migrate } from '@tollbooth/db';
import { ensureDatabase } from '@tollbooth/db/embedded';
import { startThrowawayCluster } from '@tollbooth/db/testing';

/**
 * A throwaway cluster with durability on (fsync, synchronous commit), as PERFORMANCE.md's
 * figures were measured: a bench on an fsync-off database would flatter every write.
 */
export async function startBenchDatabase() {
  const cluster = await startThrowawayCluster({ durable: true });
  await ensureDatabase(cluster.url(), 'bench');
  const url = cluster.url('bench');
  await migrate({ connectionString: url, migrationsDir: defaultMigrationsDir() });
  return { url, stop: () => cluster.stop() };
}
