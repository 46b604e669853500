/**
 * Who the load acts as: an admin registered through the API (made admin in SQL, as
 * `pnpm admin:promote` does), a server API key the admin creates through admin.apiKeys.create
 * (`Authorization: Bearer tb_sk_…`, the user in `userId`), and account holders made straight in
 * the database and funded through admin.credits.grant.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { callProcedure, type Outcome } from './client';

const SETUP_TIMEOUT_MS = 15_000;

/** The answer's data; anything else fails the scenario's setup with what came back. */
export function dataOrThrow(outcome: Outcome, what: string): unknown {
  if (outcome.kind === 'answer' && outcome.status === 200) return outcome.data;
  throw new Error(`${what} failed: ${JSON.stringify(outcome)}`);
}

function stringField(value: unknown, field: string, what: string): string {
  if (typeof value === 'object' && value !== null && field in value) {
    const found: unknown = Reflect.get(value, field);
    if (typeof found === 'string') return found;
  }
  throw new Error(`${what} answered without ${field}: ${JSON.stringify(value)}`);
}

/** A signed-in admin: its address and access token. */
export async function signInAdmin(
  apiUrl: string,
  pool: pg.Pool,
): Promise<{ email: string; token: string }> {
  const email = `admin-${randomUUID().slice(0, 8)}@example.test`;
  const registered = dataOrThrow(
    await callProcedure(apiUrl, 'auth.register', {
      mutation: true,
      input: { email, password: 'correct horse battery staple' },
      timeoutMs: SETUP_TIMEOUT_MS,
    }),
    'auth.register',
  );
  await pool.query(`update users set role = 'admin' where email = $1`, [email]);
  return { email, token: stringField(registered, 'accessToken', 'auth.register') };
}

/** A server API key with the scopes the load needs. */
export async function createServerKey(apiUrl: string, adminToken: string): Promise<string> {
  const created = dataOrThrow(
    await callProcedure(apiUrl, 'admin.apiKeys.create', {
      mutation: true,
      token: adminToken,
      input: {
        name: `faults ${randomUUID().slice(0, 8)}`,
        scopes: ['credits:read', 'credits:write', 'usage:write'],
      },
      timeoutMs: SETUP_TIMEOUT_MS,
    }),
    'admin.apiKeys.create',
  );
  return stringField(created, 'key', 'admin.apiKeys.create');
}

/** Account holders with no password (the key's subjects), made in one statement. */
export async function createHolders(pool: pg.Pool, count: number, label: string) {
  const { rows } = await pool.query<{ id: string; email: string }>(
    `insert into users (email)
     select $1 || '-' || n || '-' || substr(md5(random()::text), 1, 8) || '@example.test'
       from generate_series(1, $2) n
     returning id, email`,
    [label, count],
  );
  return rows;
}

/** `amount` credits for `userId`, granted by the admin through the API. */
export async function grantCredits(
  apiUrl: string,
  adminToken: string,
  userId: string,
  amount: number,
): Promise<void> {
  dataOrThrow(
    await callProcedure(apiUrl, 'admin.credits.grant', {
      mutation: true,
      token: adminToken,
      input: { userId, amount, reason: 'fault suite', idempotencyKey: `grant-${randomUUID()}` },
      timeoutMs: SETUP_TIMEOUT_MS,
    }),
    'admin.credits.grant',
  );
}
