import { describe, expect, it } from 'vitest';
import { ROTATION_GRACE_SECONDS } from '../../src/auth/tokens/refresh-tokens';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp, type TestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';

/** The tokens of a family nobody has rotated yet: the live branches. */
async function liveTokens(t: TestApp, sessionId: string) {
  return t.deps.db
    .selectFrom('refresh_tokens')
    .select('id')
    .where('session_id', '=', sessionId)
    .where('rotated_at', 'is', null)
    .execute();
}

async function session(t: TestApp, sessionId: string) {
  return t.deps.db
    .selectFrom('sessions')
    .select(['revoked_at', 'revoked_reason'])
    .where('id', '=', sessionId)
    .executeTakeFirstOrThrow();
}

function tokenOf(result: { refreshToken: string | null }): string {
  if (!result.refreshToken) throw new Error('no refresh token in the body');
  return result.refreshToken;
}

describe('the refresh grace window keeps one live branch per family', () => {
  it('answers concurrent refreshes of one token with one successor, leaving one live token', async () => {
    const t = await createTestApp();
    const r0 = await registerAccount(t);

    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        t.client({ batch: false }).auth.refresh.mutate({ refreshToken: r0.refreshToken }),
      ),
    );

    const answered = results.flatMap((r) => (r.status === 'fulfilled' ? [tokenOf(r.value)] : []));
    expect(answered.length).toBeGreaterThan(0);
    expect(new Set(answered).size).toBe(1);
    for (const r of results) {
      if (r.status === 'rejected')
        expect(await failure(Promise.reject(r.reason))).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    const live = await liveTokens(t, r0.sessionId);
    expect(live.map((row) => row.id)).toEqual([answered[0]?.split('.')[0]]);
    expect((await session(t, r0.sessionId)).revoked_at).toBeNull();
  });

  it('returns the same successor when the rotated token comes back inside the window', async () => {
    const clock = createManualClock();
    const t = await createTestApp({ clock });
    const r0 = await registerAccount(t);
    const first = await t.client().auth.refresh.mutate({ refreshToken: r0.refreshToken });

    clock.advance((ROTATION_GRACE_SECONDS - 1) * 1000);
    const retry = await t.client().auth.refresh.mutate({ refreshToken: r0.refreshToken });

    expect(retry.refreshToken).toBe(first.refreshToken);
    expect(retry.refreshTokenExpiresAt).toBe(first.refreshTokenExpiresAt);
    expect(retry.sessionId).toBe(r0.sessionId);
    await t.client({ accessToken: retry.accessToken }).auth.me.query();
    expect(await liveTokens(t, r0.sessionId)).toHaveLength(1);
  });

  it('kills the family when the rotated token is replayed after its successor was used, even inside the window', async () => {
    const clock = createManualClock();
    const t = await createTestApp({ clock });
    const r0 = await registerAccount(t);
    const r1 = await t.client().auth.refresh.mutate({ refreshToken: r0.refreshToken });
    clock.advance(1000);
    const r2 = await t.client().auth.refresh.mutate({ refreshToken: tokenOf(r1) });
    clock.advance(1000);

    const replay = await failure(t.client().auth.refresh.mutate({ refreshToken: r0.refreshToken }));

    expect(replay).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'REFRESH_TOKEN_REUSED' });
    expect(await session(t, r0.sessionId)).toMatchObject({ revoked_reason: 'reuse_detected' });
    const next = await failure(t.client().auth.refresh.mutate({ refreshToken: tokenOf(r2) }));
    expect(next.appCode).toBe('INVALID_REFRESH_TOKEN');
  });

  it('kills the family when the rotated token is replayed after the window, its successor unused', async () => {
    const clock = createManualClock();
    const t = await createTestApp({ clock });
    const r0 = await registerAccount(t);
    const r1 = await t.client().auth.refresh.mutate({ refreshToken: r0.refreshToken });
    clock.advance((ROTATION_GRACE_SECONDS + 1) * 1000);

    const replay = await failure(t.client().auth.refresh.mutate({ refreshToken: r0.refreshToken }));

    expect(replay.appCode).toBe('REFRESH_TOKEN_REUSED');
    const next = await failure(t.client().auth.refresh.mutate({ refreshToken: tokenOf(r1) }));
    expect(next.appCode).toBe('INVALID_REFRESH_TOKEN');
  });

  it('lets a second tab that got the successor through the window rotate it like the first', async () => {
    const clock = createManualClock();
    const t = await createTestApp({ clock });
    const r0 = await registerAccount(t);
    const tabA = await t.client().auth.refresh.mutate({ refreshToken: r0.refreshToken });
    const tabB = await t.client().auth.refresh.mutate({ refreshToken: r0.refreshToken });
    clock.advance(2000);

    const a2 = await t.client().auth.refresh.mutate({ refreshToken: tokenOf(tabA) });
    const b2 = await t.client().auth.refresh.mutate({ refreshToken: tokenOf(tabB) });

    expect(b2.refreshToken).toBe(a2.refreshToken);
    expect(await liveTokens(t, r0.sessionId)).toHaveLength(1);
    expect((await session(t, r0.sessionId)).revoked_at).toBeNull();
  });
});
