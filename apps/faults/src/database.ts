/**
 * The one PostgreSQL every process of a scenario shares: an embedded cluster of the scenario's
 * own that it may stop and start (packages/db testing), with one migrated database, and a
 * small pool of the suite's own for setting up and for the invariant checks.
 */
import { defaultMigrationsDir, migrate } from '@tollbooth/db';
import { ensureDatabase } from '@tollbooth/db/embedded';
import { type RestartableCluster, startRestartableCluster } from '@tollbooth/db/testing';
import pg from 'pg';

const DATABASE = 'faults';

export interface FaultDatabase {
  cluster: RestartableCluster;
  url: string;
  /** The suite's own connections (setup and checks), never the processes' under test. */
  pool: pg.Pool;
  stop(): Promise<void>;
}

export async function startFaultDatabase(): Promise<FaultDatabase> {
  const cluster = await startRestartableCluster();
  try {
    await ensureDatabase(cluster.url(), DATABASE);
    const url = cluster.url(DATABASE);
    await migrate({ connectionString: url, migrationsDir: defaultMigrationsDir() });
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    // A check pool's idle connection dies with a database restart; that is not an error here.
    pool.on('error', () => {});
    return {
      cluster,
      url,
      pool,
      async stop() {
        await pool.end();
        await cluster.stop();
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
