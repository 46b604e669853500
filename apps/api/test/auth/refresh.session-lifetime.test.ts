import { describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/lib/clock';
import { createTestApp, type TestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';

const DAY_MS = 24 * 60 * 60 * 1000;

async function setup(env: Record<string, string> = {}) {
  const clock = createManualClock();
  const t = await createTestApp({ clock, env });
  const account = await registerAccount(t);
  return { clock, t, account, start: clock.now().getTime() };
}

/** Refreshes every `everyDays` until `untilDay` (after sign-in); returns the last token. */
async function keepRefreshing(
  t: TestApp,
  clock: ManualClock,
  token: string,
  everyDays: number,
  untilDay: number,
) {
  let current = token;
  for (let day = everyDays; day <= untilDay; day += everyDays) {
    clock.advance(everyDays * DAY_MS);
    const next = await t.client().auth.refresh.mutate({ refreshToken: current });
    current = next.refreshToken ?? '';
  }
  return current;
}

async function sessionRow(t: TestApp, sessionId: string) {
  return t.deps.db
    .selectFrom('sessions')
    .select(['revoked_at', 'revoked_reason', 'expires_at'])
    .where('id', '=', sessionId)
    .executeTakeFirstOrThrow();
}

describe('a session has an absolute lifetime besides the sliding one', () => {
  it('ends a session 90 days after sign-in, however often it was refreshed', async () => {
    const { clock, t, account } = await setup();
    const token = await keepRefreshing(t, clock, account.refreshToken, 10, 80);
    clock.advance(10 * DAY_MS);

    const error = await failure(t.client().auth.refresh.mutate({ refreshToken: token }));

    expect(error).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'SESSION_EXPIRED' });
    expect(await sessionRow(t, account.sessionId)).toMatchObject({ revoked_reason: 'max_age' });
    const me = await failure(
      t.client({ accessToken: account.accessToken, batch: false }).auth.me.query(),
    );
    expect(me.appCode).toBe('UNAUTHENTICATED');
  });

  it('refuses an access token at the session end, even one issued minutes before it', async () => {
    const { clock, t, account } = await setup();
    const token = await keepRefreshing(t, clock, account.refreshToken, 10, 80);
    // Five minutes before the end: a fresh pair whose access token would live ten minutes past it.
    clock.advance(10 * DAY_MS - 5 * 60 * 1000);
    const last = await t.client().auth.refresh.mutate({ refreshToken: token });
    const me = () => t.client({ accessToken: last.accessToken, batch: false }).auth.me.query();
    expect((await me()).id).toBe(account.user.id);

    clock.advance(6 * 60 * 1000);

    expect((await failure(me())).appCode).toBe('UNAUTHENTICATED');
  });

  it('caps a refreshed token at the session end instead of 30 more days', async () => {
    const { clock, t, account, start } = await setup();
    const token = await keepRefreshing(t, clock, account.refreshToken, 20, 60);
    clock.advance(20 * DAY_MS);

    const renewed = await t.client().auth.refresh.mutate({ refreshToken: token });

    const end = new Date(start + 90 * DAY_MS);
    expect(renewed.refreshTokenExpiresAt).toBe(end.toISOString());
    expect((await sessionRow(t, account.sessionId)).expires_at).toEqual(end);
  });

  it('takes its length from SESSION_MAX_AGE_DAYS', async () => {
    const { clock, t, account, start } = await setup({ SESSION_MAX_AGE_DAYS: '7' });
    expect(account.refreshTokenExpiresAt).toBe(new Date(start + 7 * DAY_MS).toISOString());
    const token = await keepRefreshing(t, clock, account.refreshToken, 3, 6);
    clock.advance(1 * DAY_MS);

    const error = await failure(t.client().auth.refresh.mutate({ refreshToken: token }));

    expect(error.appCode).toBe('SESSION_EXPIRED');
  });

  it('keeps the sliding lifetime inside it: 30 idle days still end a session', async () => {
    const { clock, t, account } = await setup();
    clock.advance(30 * DAY_MS);

    const error = await failure(
      t.client().auth.refresh.mutate({ refreshToken: account.refreshToken }),
    );

    expect(error.appCode).toBe('INVALID_REFRESH_TOKEN');
  });
});
