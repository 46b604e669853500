/**
 * The baseline: what a careful engineer writes by hand with Hono and pg, doing the same work
 * as the Tollbooth procedure it is compared with, minus our framework (tRPC, middleware,
 * logging, metrics). `pnpm bench` prints Tollbooth's figures as ratios of these.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { importJWK, type JWK, jwtVerify } from 'jose';
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

/**
 * Same work as `auth.me` done by hand: verify the EdDSA access token with jose (no cache),
 * then read the user row with pg. The seed-style FastAPI GET /me does the same.
 */
async function loadPublicKey() {
  if (!process.env.BENCH_JWT_PUBLIC_JWK) return undefined;
  const jwk: JWK = JSON.parse(process.env.BENCH_JWT_PUBLIC_JWK);
  return importJWK(jwk, 'EdDSA');
}
const jwtPublicKey = await loadPublicKey();
app.get('/me', async (c) => {
  const token = c.req.header('authorization')?.replace(/^Bearer /, '');
  if (!token || !jwtPublicKey) return c.json({ error: 'unauthorized' }, 401);
  try {
    const { payload } = await jwtVerify(token, jwtPublicKey, {
      algorithms: ['EdDSA'],
      issuer: process.env.BENCH_JWT_ISSUER,
      audience: 'tollbooth',
    });
    const { rows } = await pool.query(
      'select id, email, name, role, image_url, email_verified_at, created_at from users where id = $1',
      [payload.sub],
    );
    if (!rows[0]) return c.json({ error: 'unauthorized' }, 401);
    return c.json(rows[0]);
  } catch {
    return c.json({ error: 'unauthorized' }, 401);
  }
});

/**
 * Same work as POST /webhooks/stripe minus applying: Stripe's signature checked by hand
 * (HMAC-SHA256 over "t.payload", constant-time compare, 300 s tolerance), then the event
 * stored once with one INSERT … ON CONFLICT DO NOTHING.
 */
const webhookSecret = process.env.BENCH_WEBHOOK_SECRET;
app.post('/webhooks/stripe', async (c) => {
  const raw = await c.req.text();
  const fields = new Map(
    (c.req.header('stripe-signature') ?? '').split(',').map((part) => {
      const [key = '', value = ''] = part.split('=');
      return [key, value] as const;
    }),
  );
  const t = Number(fields.get('t'));
  const given = Buffer.from(fields.get('v1') ?? '', 'hex');
  if (!webhookSecret || !Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) {
    return c.json({ error: 'bad signature' }, 400);
  }
  const expected = createHmac('sha256', webhookSecret).update(`${t}.${raw}`).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return c.json({ error: 'bad signature' }, 400);
  }
  const event = JSON.parse(raw);
  await pool.query(
    `insert into stripe_events (id, type, stripe_created, livemode, object_id, payload, status)
     values ($1, $2, to_timestamp($3), $4, $5, $6, 'ignored') on conflict (id) do nothing`,
    [event.id, event.type, event.created, event.livemode, event.data?.object?.id ?? null, raw],
  );
  return c.json({ received: true });
});

app.get('/ready', (c) => c.text('ok'));

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
process.on('SIGTERM', () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
});
