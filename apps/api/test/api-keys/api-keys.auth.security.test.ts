import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { router, serverProcedure } from '../../src/trpc/procedures';
import { appRouter } from '../../src/trpc/root';
import { createKey, createUser, grant, keyClient, signInAdmin } from '../credits/credits-testing';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';

describe('server API keys on the wire', () => {
  it('refuses a key without the scope a procedure needs: 403 INSUFFICIENT_SCOPE, nothing done', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const userId = await createUser(t);
    await grant(admin, userId, 10);
    const readOnly = await createKey(admin, ['credits:read', 'usage:write']);
    const writeOnly = await createKey(admin, ['credits:write']);

    const debit = await failure(
      keyClient(t, readOnly.key).credits.debit.mutate({ userId, amount: 1, idempotencyKey: 'k1' }),
    );
    const balance = await failure(keyClient(t, writeOnly.key).credits.balance.query({ userId }));

    expect(debit).toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
      appCode: 'INSUFFICIENT_SCOPE',
      data: { details: { requiredScope: 'credits:write' } },
    });
    expect(balance).toMatchObject({ appCode: 'INSUFFICIENT_SCOPE' });
    expect(await keyClient(t, readOnly.key).credits.balance.query({ userId })).toEqual({
      userId,
      balance: 10,
    });
  });

  it('refuses a revoked key at once, in another app instance on the same database too', async () => {
    const databaseUrl = await createTestDatabase();
    const one = await createTestApp({ databaseUrl });
    const two = await createTestApp({ databaseUrl });
    const { client: admin } = await signInAdmin(one);
    const userId = await createUser(one);
    const { id, key } = await createKey(admin);
    // Instance two has used (and could have cached) the key before it is revoked.
    await keyClient(two, key).credits.balance.query({ userId });

    await admin.admin.apiKeys.revoke.mutate({ id });
    const onTwo = await failure(keyClient(two, key).credits.balance.query({ userId }));
    const onOne = await failure(keyClient(one, key).credits.balance.query({ userId }));

    // No clock advanced and no sleep: "within a second" holds because nothing is cached.
    expect(onTwo).toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
      appCode: 'API_KEY_REVOKED',
    });
    expect(onOne).toMatchObject({ appCode: 'API_KEY_REVOKED' });
  });

  it.each([
    [
      'a real lookup part with a forged secret',
      (key: string) => `${key.slice(0, 22)}${'A'.repeat(43)}`,
    ],
    ['an unknown lookup part', () => `tb_sk_${'0'.repeat(16)}${'A'.repeat(43)}`],
    ['a truncated key', (key: string) => key.slice(0, -1)],
    ['just the prefix', () => 'tb_sk_'],
  ])('answers 401 INVALID_API_KEY to %s', async (_label, forge) => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const userId = await createUser(t);
    const { key } = await createKey(admin);

    const error = await failure(keyClient(t, forge(key)).credits.balance.query({ userId }));

    expect(error).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'INVALID_API_KEY' });
  });

  it("never reads a key as a user's token: user procedures answer 401 saying a user token is needed", async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const { key } = await createKey(admin);

    const me = await failure(keyClient(t, key).auth.me.query());
    const adminCall = await failure(keyClient(t, key).admin.apiKeys.list.query());

    expect(me).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED' });
    expect(me.message).toContain('not a server API key');
    expect(adminCall.message).toContain('not a server API key');
  });

  it('makes a key name the user it acts for, and only an active account', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const { key } = await createKey(admin);
    const deactivated = await createUser(t);
    await t.deps.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('id', '=', deactivated)
      .execute();
    const client = keyClient(t, key);

    const missing = await failure(client.credits.balance.query({}));
    const unknown = await failure(
      client.credits.balance.query({ userId: '00000000-0000-4000-8000-000000000000' }),
    );
    const inactive = await failure(client.credits.balance.query({ userId: deactivated }));

    expect(missing).toMatchObject({
      appCode: 'VALIDATION_FAILED',
      data: { fieldErrors: { userId: [expect.any(String)] } },
    });
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', appCode: 'USER_NOT_FOUND' });
    expect(inactive).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCOUNT_DEACTIVATED' });
  });

  it("lets a user's own token act for that user only: another userId is 403", async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const account = await registerAccount(t);
    const victim = await createUser(t, 'victim');
    await grant(admin, victim, 5);
    const own = t.client({ batch: false, accessToken: account.accessToken });

    const error = await failure(
      own.credits.debit.mutate({ userId: victim, amount: 1, idempotencyKey: 'steal-1' }),
    );

    expect(error).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN' });
    expect(await own.credits.balance.query({ userId: account.user.id })).toEqual({
      userId: account.user.id,
      balance: 0,
    });
    expect(
      await keyClient(t, (await createKey(admin)).key).credits.balance.query({ userId: victim }),
    ).toMatchObject({ balance: 5 });
  });
});

describe('serverProcedure', () => {
  const probeRouter = router({
    auth: appRouter.auth,
    admin: appRouter.admin,
    probe: serverProcedure('usage:write').query(({ ctx }) => ({ keyId: ctx.apiKey.id })),
  });

  it("answers the product's key with the key's identity, a user's token with 403 API_KEY_REQUIRED and nobody with 401", async () => {
    const t = await createTestApp({ router: probeRouter });
    const { client: admin } = await signInAdmin(t);
    const { id, key } = await createKey(admin, ['usage:write']);
    const { accessToken } = await registerAccount(t);
    const call = (authorization?: string) =>
      t.fetch('http://tollbooth.test/trpc/probe', {
        headers: authorization ? { authorization } : {},
      });

    const withKey = await call(`Bearer ${key}`);
    const withUser = await call(`Bearer ${accessToken}`);
    const anonymous = await call();

    expect(await withKey.json()).toMatchObject({ result: { data: { keyId: id } } });
    expect(withUser.status).toBe(403);
    expect(await withUser.json()).toMatchObject({
      error: { data: { appCode: 'API_KEY_REQUIRED' } },
    });
    expect(anonymous.status).toBe(401);
  });
});
