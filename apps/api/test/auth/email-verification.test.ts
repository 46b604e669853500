import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';
import { startTestSmtp, tokenFromLink } from '../support/smtp';

async function setup() {
  const smtp = await startTestSmtp();
  const clock = createManualClock();
  const t = await createTestApp({ clock, env: { SMTP_URL: smtp.url } });
  return { smtp, clock, t };
}

describe('email verification', () => {
  it('verifies with the link from the email, once', async () => {
    const { smtp, t } = await setup();
    const account = await registerAccount(t);
    await t.drainJobs();
    const token = tokenFromLink(smtp.latest(account.email));

    expect(await t.client().auth.verifyEmail.mutate({ token })).toEqual({ email: account.email });
    expect(await t.client({ accessToken: account.accessToken }).auth.me.query()).toMatchObject({
      emailVerified: true,
    });
    const again = await failure(t.client().auth.verifyEmail.mutate({ token }));
    expect(again).toMatchObject({ code: 'BAD_REQUEST', appCode: 'INVALID_TOKEN' });
  });

  it('refuses a link older than 24 hours with TOKEN_EXPIRED', async () => {
    const { smtp, clock, t } = await setup();
    const account = await registerAccount(t);
    await t.drainJobs();

    clock.advance(24 * 60 * 60 * 1000);

    const error = await failure(
      t.client().auth.verifyEmail.mutate({ token: tokenFromLink(smtp.latest(account.email)) }),
    );
    expect(error.appCode).toBe('TOKEN_EXPIRED');
  });

  it('sends a new link on request, which retires the previous one', async () => {
    const { smtp, t } = await setup();
    const account = await registerAccount(t);
    await t.drainJobs();
    const first = tokenFromLink(smtp.latest(account.email));

    expect(
      await t.client({ accessToken: account.accessToken }).auth.requestEmailVerification.mutate(),
    ).toEqual({ sent: true });
    await t.drainJobs();
    const second = tokenFromLink(smtp.latest(account.email));

    expect((await failure(t.client().auth.verifyEmail.mutate({ token: first }))).appCode).toBe(
      'INVALID_TOKEN',
    );
    await t.client().auth.verifyEmail.mutate({ token: second });
    expect(
      await t.client({ accessToken: account.accessToken }).auth.requestEmailVerification.mutate(),
    ).toEqual({ sent: false });
  });

  it.each([
    ['garbage', 'garbage'],
    ['a tampered secret', 'TAMPER'],
  ])('refuses %s', async (_name, kind) => {
    const { smtp, t } = await setup();
    const account = await registerAccount(t);
    await t.drainJobs();
    const real = tokenFromLink(smtp.latest(account.email));
    const token = kind === 'garbage' ? 'garbage' : `${real.split('.')[0]}.${'x'.repeat(43)}`;

    expect((await failure(t.client().auth.verifyEmail.mutate({ token }))).appCode).toBe(
      'INVALID_TOKEN',
    );
  });

  it('stores link tokens hashed, never in clear', async () => {
    const { smtp, t } = await setup();
    const account = await registerAccount(t);
    await t.drainJobs();
    const token = tokenFromLink(smtp.latest(account.email));

    const rows = await t.deps.db.selectFrom('one_time_secrets').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token.split('.')[1]);
  });
});
