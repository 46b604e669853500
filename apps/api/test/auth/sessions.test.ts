import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';

describe('auth.sessions', () => {
  it('lists live sessions with user agent, method, times and the current flag', async () => {
    const t = await createTestApp();
    const { email, password } = await registerAccount(t);
    const phone = await t
      .client({ headers: { 'user-agent': 'Phone/1.0' } })
      .auth.login.mutate({ email, password });

    const sessions = await t.client({ accessToken: phone.accessToken }).auth.sessions.list.query();

    expect(sessions).toHaveLength(2);
    expect(sessions.find((s) => s.current)).toMatchObject({
      id: phone.sessionId,
      method: 'password',
      userAgent: 'Phone/1.0',
      ip: null,
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
    });
    expect(sessions.filter((s) => !s.current).map((s) => s.method)).toEqual(['register']);
  });

  it('revokes one session by id, which ends its access and refresh tokens', async () => {
    const t = await createTestApp();
    const laptop = await registerAccount(t);
    const phone = await t
      .client()
      .auth.login.mutate({ email: laptop.email, password: laptop.password });

    const result = await t
      .client({ accessToken: laptop.accessToken })
      .auth.sessions.revoke.mutate({ sessionId: phone.sessionId });

    expect(result).toEqual({ revoked: 1 });
    expect(
      (await failure(t.client({ accessToken: phone.accessToken, batch: false }).auth.me.query()))
        .appCode,
    ).toBe('UNAUTHENTICATED');
    expect(
      (await failure(t.client().auth.refresh.mutate({ refreshToken: phone.refreshToken ?? '' })))
        .appCode,
    ).toBe('INVALID_REFRESH_TOKEN');
    await t.client({ accessToken: laptop.accessToken }).auth.me.query();
  });

  it('revokes all sessions but the current one', async () => {
    const t = await createTestApp();
    const current = await registerAccount(t);
    const others = await Promise.all(
      [1, 2].map(() =>
        t.client().auth.login.mutate({ email: current.email, password: current.password }),
      ),
    );

    const result = await t
      .client({ accessToken: current.accessToken })
      .auth.sessions.revoke.mutate({ allButCurrent: true });

    expect(result).toEqual({ revoked: 2 });
    const left = await t.client({ accessToken: current.accessToken }).auth.sessions.list.query();
    expect(left.map((s) => s.id)).toEqual([current.sessionId]);
    for (const other of others) {
      expect(
        (await failure(t.client({ accessToken: other.accessToken, batch: false }).auth.me.query()))
          .code,
      ).toBe('UNAUTHORIZED');
    }
  });

  it("cannot revoke another user's session", async () => {
    const t = await createTestApp();
    const alice = await registerAccount(t);
    const bob = await registerAccount(t);

    const result = await t
      .client({ accessToken: alice.accessToken })
      .auth.sessions.revoke.mutate({ sessionId: bob.sessionId });

    expect(result).toEqual({ revoked: 0 });
    await t.client({ accessToken: bob.accessToken }).auth.me.query();
  });

  it('needs a signed-in caller', async () => {
    const t = await createTestApp();

    const error = await failure(t.client({ batch: false }).auth.sessions.list.query());

    expect(error).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
  });
});
