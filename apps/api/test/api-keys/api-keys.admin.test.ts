import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  auditRows,
  createKey,
  createUser,
  keyClient,
  signInAdmin,
} from '../credits/credits-testing';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';

const KEY_FORMAT = /^tb_sk_([0-9a-f]{16})([A-Za-z0-9_-]{43})$/;

describe('admin.apiKeys', () => {
  it('shows a new key once, as tb_sk_ with 256 bits of secret, and stores only its SHA-256', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);

    const created = await admin.admin.apiKeys.create.mutate({
      name: 'next.js backend',
      scopes: ['credits:write', 'credits:read', 'credits:write'],
    });
    const other = await createKey(admin);

    const [, lookup, secret] = KEY_FORMAT.exec(created.key) ?? [];
    // 43 base64url characters are 258 bits of text around 32 random bytes (256 bits).
    expect(Buffer.from(secret ?? '', 'base64url')).toHaveLength(32);
    expect(created).toMatchObject({
      name: 'next.js backend',
      prefix: `tb_sk_${lookup}`,
      scopes: ['credits:write', 'credits:read'],
      revokedAt: null,
    });
    expect(other.key).not.toBe(created.key);
    const row = await t.deps.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toEqual(createHash('sha256').update(created.key).digest());
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('lists keys by prefix, never the secret', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const created = await createKey(admin, ['usage:write']);

    const listed = await admin.admin.apiKeys.list.query();

    const entry = listed.find((key) => key.id === created.id);
    expect(entry).toEqual({
      id: created.id,
      name: created.name,
      prefix: created.key.slice(0, 'tb_sk_'.length + 16),
      scopes: ['usage:write'],
      createdAt: expect.any(String),
      firstUsedAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(created.key.slice(22));
  });

  it('audits the creation, the first use (once, however many requests arrive together) and the revocation', async () => {
    const t = await createTestApp();
    const { account, client: admin } = await signInAdmin(t);
    const created = await createKey(admin);
    const userId = await createUser(t);

    await Promise.all(
      Array.from({ length: 5 }, () => keyClient(t, created.key).credits.balance.query({ userId })),
    );
    await keyClient(t, created.key).credits.balance.query({ userId });
    const revoked = await admin.admin.apiKeys.revoke.mutate({ id: created.id });
    const again = await admin.admin.apiKeys.revoke.mutate({ id: created.id });

    const prefix = created.prefix;
    expect(await auditRows(t, 'api_keys.created')).toEqual([
      {
        user_id: account.user.id,
        status: 'success',
        metadata: {
          keyId: created.id,
          prefix,
          name: created.name,
          scopes: 'credits:read credits:write',
        },
      },
    ]);
    expect(await auditRows(t, 'api_keys.first_used')).toEqual([
      {
        user_id: null,
        status: 'success',
        metadata: { keyId: created.id, prefix, name: created.name },
      },
    ]);
    expect(await auditRows(t, 'api_keys.revoked')).toEqual([
      {
        user_id: account.user.id,
        status: 'success',
        metadata: { keyId: created.id, prefix, name: created.name },
      },
    ]);
    expect(again.revokedAt).toBe(revoked.revokedAt);
    const listed = await admin.admin.apiKeys.list.query();
    expect(listed.find((key) => key.id === created.id)?.firstUsedAt).toEqual(expect.any(String));
  });

  it('moves last_used_at at most once a minute, so a busy key is not a hot row', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const created = await createKey(admin);
    const userId = await createUser(t);
    const use = () => keyClient(t, created.key).credits.balance.query({ userId });
    const lastUsed = async () =>
      (await admin.admin.apiKeys.list.query()).find((key) => key.id === created.id)?.lastUsedAt;

    await use();
    const first = await lastUsed();
    t.clock.advance(30_000);
    await use();
    expect(await lastUsed()).toBe(first);
    t.clock.advance(31_000);
    await use();
    expect(await lastUsed()).toBe(t.clock.now().toISOString());
  });

  it.each([
    ['an unknown scope', { name: 'k', scopes: ['credits:everything'] }, 'scopes'],
    ['no scope', { name: 'k', scopes: [] }, 'scopes'],
    ['an empty name', { name: '  ', scopes: ['credits:read'] }, 'name'],
  ])('refuses %s with a field message', async (_label, input, field) => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);

    // @ts-expect-error deliberately invalid input
    const error = await failure(admin.admin.apiKeys.create.mutate(input));

    expect(error).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION_FAILED' });
    expect(Object.keys(error.data.fieldErrors ?? {}).map((path) => path.split('.')[0])).toContain(
      field,
    );
  });

  it('answers API_KEY_NOT_FOUND for revoking a key that does not exist', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);

    const error = await failure(
      admin.admin.apiKeys.revoke.mutate({ id: '00000000-0000-4000-8000-000000000000' }),
    );

    expect(error).toMatchObject({ code: 'NOT_FOUND', appCode: 'API_KEY_NOT_FOUND' });
  });

  it('lets no signed-in user who is not an admin create, list or revoke keys (403)', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const existing = await createKey(admin);
    const member = t.client({ accessToken: (await registerAccount(t)).accessToken });

    const calls = [
      () => member.admin.apiKeys.create.mutate({ name: 'mine', scopes: ['credits:write'] }),
      () => member.admin.apiKeys.list.query(),
      () => member.admin.apiKeys.revoke.mutate({ id: existing.id }),
    ];

    for (const call of calls) {
      expect(await failure(call())).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN' });
    }
    expect((await admin.admin.apiKeys.list.query())[0]?.revokedAt).toBeNull();
    expect(await t.deps.db.selectFrom('api_keys').select('id').execute()).toHaveLength(1);
  });
});
