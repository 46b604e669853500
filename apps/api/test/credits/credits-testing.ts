/**
 * What the credits and API-key tests share: accounts made straight in the database (no
 * password hashing: these tests are about money, not sign-in), an admin, server API keys,
 * and views of the ledger the assertions compare against.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { ApiKeyScope } from '../../src/api-keys/api-keys.schemas';
import { signInAdmin } from '../billing/billing-testing';
import type { TestApp } from '../harness';
import { newEmail } from '../support/accounts';

export { signInAdmin };

/** An active account with no password and no session: a key's or an admin's subject. */
export async function createUser(t: TestApp, label = 'holder'): Promise<string> {
  const row = await t.deps.db
    .insertInto('users')
    .values({ email: newEmail(label) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export type AdminClient = Awaited<ReturnType<typeof signInAdmin>>['client'];

/** A new server API key with `scopes`, made by `admin` through admin.apiKeys.create. */
export async function createKey(
  admin: AdminClient,
  scopes: ApiKeyScope[] = ['credits:read', 'credits:write'],
) {
  return admin.admin.apiKeys.create.mutate({ name: `key ${randomUUID().slice(0, 8)}`, scopes });
}

/** A tRPC client that sends `key` as its bearer token, unbatched (so 402s keep their status). */
export function keyClient(t: TestApp, key: string) {
  return t.client({ batch: false, headers: { authorization: `Bearer ${key}` } });
}

export async function grant(admin: AdminClient, userId: string, amount: number) {
  return admin.admin.credits.grant.mutate({
    userId,
    amount,
    reason: 'test grant',
    idempotencyKey: `grant-${randomUUID()}`,
  });
}

/** The account's balance row (undefined when it never had one) and its ledger's sum. */
export async function ledgerState(t: TestApp, userId: string) {
  const balance = await t.deps.db
    .selectFrom('credit_balances')
    .select('balance')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const { rows } = await sql<{ sum: number; entries: number }>`
    select coalesce(sum(delta), 0) as sum, count(*) as entries
      from credit_ledger where user_id = ${userId}`.execute(t.deps.db);
  return { balance: balance?.balance, ledgerSum: rows[0]?.sum, entries: rows[0]?.entries };
}

export async function domainEvents(t: TestApp, type: string, userId: string) {
  return t.deps.db
    .selectFrom('domain_events')
    .select(['type', 'payload'])
    .where('type', '=', type)
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

export async function auditRows(t: TestApp, event: string) {
  return t.deps.db
    .selectFrom('audit_log')
    .select(['user_id', 'metadata', 'status'])
    .where('event_type', '=', event)
    .orderBy('created_at')
    .execute();
}
