/**
 * The baseline: what a careful engineer writes by hand with Hono and pg, doing the same work
 * as the Tollbooth procedure it is compared with, minus our framework (tRPC, middleware,
 * logging, metrics). `pnpm bench` prints Tollbooth's figures as ratios of these.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';

const port = Number(process.env.PORT);
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
});

const app = new Hono();

/** Same data and the same query as `system.info`. */
app.get('/info', async (c) => {
  const started = performance.now();
  let reachable = true;
  try {
    await pool.query('select 1');
  } catch {
    reachable = false;
  }
  return c.json({
    name: 'tollbooth',
    version: '0.0.0',
    time: new Date().toISOString(),
    database: { reachable, latencyMs: Math.round(performance.now() - started) },
  });
});

app.get('/ready', (c) => c.text('ok'));

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
process.on('SIGTERM', () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
});
