import { randomUUID } from 'node:crypto';
import { createTestApp } from '@tollbooth/api/testing';
import { describe, expect, it } from 'vitest';
import { createTollboothServerClient, isTollboothError } from '../src/index';

/** The app, an admin (promoted in the database, as `pnpm admin:promote` does) and a user. */
async function setup() {
  const t = await createTestApp();
  const register = async () => {
    const result = await t.client().auth.register.mutate({
      email: `sdk-${randomUUID().slice(0, 8)}@example.test`,
      password: 'correct horse battery staple',
    });
    if (result.verificationRequired) throw new Error('expected REGISTRATION_MODE=open');
    return result;
  };
  const adminAccount = await register();
  await t.deps.db
    .updateTable('users')
    .set({ role: 'admin' })
    .where('id', '=', adminAccount.user.id)
    .execute();
  const admin = t.client({ accessToken: adminAccount.accessToken });
  const user = (await register()).user;
  const { id, key } = await admin.admin.apiKeys.create.mutate({
    name: 'next.js',
    scopes: ['credits:read', 'credits:write'],
  });
  await admin.admin.credits.grant.mutate({
    userId: user.id,
    amount: 10,
    reason: 'welcome',
    idempotencyKey: `welcome-${user.id}`,
  });
  return { t, admin, user, keyId: id, key };
}

describe('createTollboothServerClient', () => {
  it("acts for the user it names with the server key attached, and replays a debit's first answer", async () => {
    const { t, user, key } = await setup();
    const server = createTollboothServerClient({
      url: 'http://tollbooth.test/',
      apiKey: key,
      fetch: t.fetch,
    });

    const debit = await server.credits.debit.mutate({
      userId: user.id,
      amount: 4,
      idempotencyKey: 'report-1',
    });
    const replay = await server.credits.debit.mutate({
      userId: user.id,
      amount: 4,
      idempotencyKey: 'report-1',
    });

    expect(debit).toMatchObject({ userId: user.id, amount: 4, balance: 6 });
    expect(replay).toEqual(debit);
    expect(await server.credits.balance.query({ userId: user.id })).toEqual({
      userId: user.id,
      balance: 6,
    });
  });

  it('reports a refusal as a TollboothError with its appCode and details', async () => {
    const { t, user, key } = await setup();
    const server = createTollboothServerClient({
      url: 'http://tollbooth.test',
      apiKey: key,
      fetch: t.fetch,
    });

    const error = await server.credits.debit
      .mutate({ userId: user.id, amount: 11, idempotencyKey: 'too-much' })
      .catch((e: unknown) => e);

    expect(isTollboothError(error, 'INSUFFICIENT_CREDITS')).toBe(true);
    expect(isTollboothError(error) && error.data).toMatchObject({
      httpStatus: 402,
      details: { balance: 10, requested: 11 },
    });
  });

  it('stops working the moment its key is revoked', async () => {
    const { t, admin, user, key, keyId } = await setup();
    const server = createTollboothServerClient({
      url: 'http://tollbooth.test',
      apiKey: key,
      fetch: t.fetch,
    });
    await server.credits.balance.query({ userId: user.id });

    await admin.admin.apiKeys.revoke.mutate({ id: keyId });
    const error = await server.credits.balance.query({ userId: user.id }).catch((e: unknown) => e);

    expect(isTollboothError(error, 'API_KEY_REVOKED')).toBe(true);
  });

  it('refuses to start without a server API key', () => {
    expect(() => createTollboothServerClient({ url: 'http://tollbooth.test', apiKey: '' })).toThrow(
      /tb_sk_/,
    );
    expect(() =>
      createTollboothServerClient({
        url: 'http://tollbooth.test',
        apiKey: 'eyJhbGciOi.user.token',
      }),
    ).toThrow(/tb_sk_/);
  });
});
