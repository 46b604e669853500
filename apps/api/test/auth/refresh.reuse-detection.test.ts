import { describe, expect, it } from 'vitest';
import { ROTATION_GRACE_SECONDS } from '../../src/auth/tokens/refresh-tokens';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';

async function auditEvents(t: Awaited<ReturnType<typeof createTestApp>>, event: string) {
  return t.deps.db.selectFrom('audit_log').selectAll().where('event_type', '=', event).execute();
}

describe('refresh token rotation', () => {
  it('issues a new refresh token on every refresh, in the same session', async () => {
    const t = await createTestApp();
    const first = await registerAccount(t);

    const second = await t.client().auth.refresh.mutate({ refreshToken: first.refreshToken });
    const third = await t.client().auth.refresh.mutate({ refreshToken: second.refreshToken ?? '' });

    expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
    expect(third.sessionId).toBe(first.sessionId);
    await t.client({ accessToken: third.accessToken }).auth.me.query();
  });

  it('revokes the whole family when a rotated token is presented again (theft detection)', async () => {
    const clock = createManualClock();
    const t = await createTestApp({ clock });
    const stolen = await registerAccount(t);
    const legit = await t.client().auth.refresh.mutate({ refreshToken: stolen.refreshToken });
    clock.advance((ROTATION_GRACE_SECONDS + 1) * 1000);

    const reuse = await failure(
      t.client().auth.refresh.mutate({ refreshToken: stolen.refreshToken }),
    );

    expect(reuse).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'REFRESH_TOKEN_REUSED' });
    // The legitimate client's newer token and access token die with the family.
    const next = await failure(
      t.client().auth.refresh.mutate({ refreshToken: legit.refreshToken ?? '' }),
    );
    expect(next.appCode).toBe('INVALID_REFRESH_TOKEN');
    const me = await failure(
      t.client({ accessToken: legit.accessToken, batch: false }).auth.me.query(),
    );
    expect(me.appCode).toBe('UNAUTHENTICATED');
    expect(await auditEvents(t, 'auth.refresh_reuse_detected')).toHaveLength(1);
  });

  it('gives a rotated token its successor again within the grace window, without revoking (two tabs)', async () => {
    const clock = createManualClock();
    const t = await createTestApp({ clock });
    const shared = await registerAccount(t);

    const tabA = await t.client().auth.refresh.mutate({ refreshToken: shared.refreshToken });
    clock.advance((ROTATION_GRACE_SECONDS - 1) * 1000);
    const tabB = await t.client().auth.refresh.mutate({ refreshToken: shared.refreshToken });

    expect(tabB.sessionId).toBe(tabA.sessionId);
    expect(tabB.refreshToken).toBe(tabA.refreshToken);
    const nextA = await t.client().auth.refresh.mutate({ refreshToken: tabA.refreshToken ?? '' });
    const nextB = await t.client().auth.refresh.mutate({ refreshToken: tabB.refreshToken ?? '' });
    expect(nextB.refreshToken).toBe(nextA.refreshToken);
    expect(await auditEvents(t, 'auth.refresh_reuse_detected')).toHaveLength(0);
  });

  it('handles two refreshes of one token at the same moment without revoking', async () => {
    const t = await createTestApp();
    const shared = await registerAccount(t);

    const results = await Promise.all([
      t.client({ batch: false }).auth.refresh.mutate({ refreshToken: shared.refreshToken }),
      t.client({ batch: false }).auth.refresh.mutate({ refreshToken: shared.refreshToken }),
    ]);

    for (const result of results)
      await t.client({ accessToken: result.accessToken }).auth.me.query();
  });

  it('refuses an expired refresh token (30 days)', async () => {
    const clock = createManualClock();
    const t = await createTestApp({ clock });
    const { refreshToken } = await registerAccount(t);

    clock.advance(30 * 24 * 60 * 60 * 1000);

    const error = await failure(t.client().auth.refresh.mutate({ refreshToken }));
    expect(error.appCode).toBe('INVALID_REFRESH_TOKEN');
  });

  it('slides the lifetime: a token refreshed on day 29 lives 30 more days', async () => {
    const clock = createManualClock();
    const t = await createTestApp({ clock });
    const { refreshToken } = await registerAccount(t);

    clock.advance(29 * 24 * 60 * 60 * 1000);
    const renewed = await t.client().auth.refresh.mutate({ refreshToken });
    clock.advance(29 * 24 * 60 * 60 * 1000);

    await t.client().auth.refresh.mutate({ refreshToken: renewed.refreshToken ?? '' });
  });

  it.each([
    ['garbage', 'garbage'],
    ['a well-formed token that was never issued', `${crypto.randomUUID()}.${'A'.repeat(43)}`],
  ])('refuses %s', async (_name, refreshToken) => {
    const t = await createTestApp();

    const error = await failure(t.client().auth.refresh.mutate({ refreshToken }));

    expect(error).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'INVALID_REFRESH_TOKEN' });
  });

  it('refuses a real token id with a wrong secret', async () => {
    const t = await createTestApp();
    const { refreshToken } = await registerAccount(t);
    const [id] = refreshToken.split('.');

    const error = await failure(
      t.client().auth.refresh.mutate({ refreshToken: `${id}.${'B'.repeat(43)}` }),
    );

    expect(error.appCode).toBe('INVALID_REFRESH_TOKEN');
  });

  it('stores refresh tokens only as SHA-256 hashes', async () => {
    const t = await createTestApp();
    const { refreshToken } = await registerAccount(t);
    const [id, secret] = refreshToken.split('.');

    const row = await t.deps.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('id', '=', id ?? '')
      .executeTakeFirstOrThrow();

    expect(row.token_hash).toHaveLength(32);
    expect(JSON.stringify(row)).not.toContain(secret);
  });
});
