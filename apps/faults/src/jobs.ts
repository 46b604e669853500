/**
 * A job put straight into the queue (graphile_worker.add_job, as the API's enqueueJob does),
 * on a connection of its own: used right after a database restart, when a pooled connection
 * of the suite's may still be a dead one.
 */
import pg from 'pg';

export async function enqueueDirectly(
  databaseUrl: string,
  task: string,
  payload: Record<string, unknown>,
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    await client.query('select graphile_worker.add_job($1::text, $2::json)', [
      task,
      JSON.stringify(payload),
    ]);
  } finally {
    await client.end();
  }
}
