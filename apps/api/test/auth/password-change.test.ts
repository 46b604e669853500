import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';
import { startTestSmtp } from '../support/smtp';

const NEW_PASSWORD = 'a brand new passphrase';

describe('auth.changePassword', () => {
  it('changes the password, signs out every other session and sends a notice', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    const here = await registerAccount(t);
    const elsewhere = await t
      .client()
      .auth.login.mutate({ email: here.email, password: here.password });

    const result = await t
      .client({ accessToken: here.accessToken })
      .auth.changePassword.mutate({ currentPassword: here.password, newPassword: NEW_PASSWORD });

    expect(result).toEqual({ revokedSessions: 1 });
    await t.client({ accessToken: here.accessToken }).auth.me.query();
    await t.client().auth.refresh.mutate({ refreshToken: here.refreshToken });
    expect(
      (
        await failure(
          t.client({ accessToken: elsewhere.accessToken, batch: false }).auth.me.query(),
        )
      ).code,
    ).toBe('UNAUTHORIZED');
    expect(
      (
        await failure(
          t.client().auth.refresh.mutate({ refreshToken: elsewhere.refreshToken ?? '' }),
        )
      ).appCode,
    ).toBe('INVALID_REFRESH_TOKEN');
    expect(
      (await failure(t.client().auth.login.mutate({ email: here.email, password: here.password })))
        .appCode,
    ).toBe('INVALID_CREDENTIALS');
    await t.client().auth.login.mutate({ email: here.email, password: NEW_PASSWORD });
    await t.drainJobs();
    expect(smtp.to(here.email).map((m) => m.subject)).toContain(
      'Your Tollbooth password was changed',
    );
  });

  it('refuses a wrong current password and changes nothing', async () => {
    const t = await createTestApp();
    const account = await registerAccount(t);

    const error = await failure(
      t.client({ accessToken: account.accessToken }).auth.changePassword.mutate({
        currentPassword: 'not my password',
        newPassword: NEW_PASSWORD,
      }),
    );

    expect(error).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'INVALID_CREDENTIALS' });
    expect(error.data.fieldErrors).toEqual({ currentPassword: ['is wrong'] });
    await t.client().auth.login.mutate({ email: account.email, password: account.password });
  });

  it('holds the new password to the policy', async () => {
    const t = await createTestApp();
    const account = await registerAccount(t);
    const client = t.client({ accessToken: account.accessToken });

    const short = await failure(
      client.auth.changePassword.mutate({
        currentPassword: account.password,
        newPassword: 'short',
      }),
    );
    const email = await failure(
      client.auth.changePassword.mutate({
        currentPassword: account.password,
        newPassword: account.email,
      }),
    );

    expect(short.appCode).toBe('VALIDATION_FAILED');
    expect(email.data.fieldErrors).toEqual({ newPassword: ['must not be your email address'] });
  });
});

describe('auth.deactivate', () => {
  it('needs the password, signs out everywhere, and later logins get ACCOUNT_DEACTIVATED', async () => {
    const t = await createTestApp();
    const account = await registerAccount(t);
    const client = t.client({ accessToken: account.accessToken });

    const wrong = await failure(client.auth.deactivate.mutate({ password: 'not my password' }));
    expect(wrong.appCode).toBe('INVALID_CREDENTIALS');

    expect(await client.auth.deactivate.mutate({ password: account.password })).toEqual({
      deactivated: true,
    });

    expect(
      (await failure(t.client({ accessToken: account.accessToken, batch: false }).auth.me.query()))
        .code,
    ).toBe('UNAUTHORIZED');
    expect(
      (await failure(t.client().auth.refresh.mutate({ refreshToken: account.refreshToken })))
        .appCode,
    ).toBe('INVALID_REFRESH_TOKEN');
    const login = await failure(
      t.client().auth.login.mutate({ email: account.email, password: account.password }),
    );
    expect(login).toMatchObject({ code: 'FORBIDDEN', appCode: 'ACCOUNT_DEACTIVATED' });
  });

  it('does not reveal deactivation to someone without the password', async () => {
    const t = await createTestApp();
    const account = await registerAccount(t);
    await t
      .client({ accessToken: account.accessToken })
      .auth.deactivate.mutate({ password: account.password });

    const error = await failure(
      t.client().auth.login.mutate({ email: account.email, password: 'guess guess' }),
    );

    expect(error.appCode).toBe('INVALID_CREDENTIALS');
  });
});

describe('auth.me and auth.updateProfile', () => {
  it('updates name and image url, and clears them with null', async () => {
    const t = await createTestApp();
    const account = await registerAccount(t);
    const client = t.client({ accessToken: account.accessToken });

    const updated = await client.auth.updateProfile.mutate({
      name: 'Grace Hopper',
      imageUrl: 'https://img.example.com/grace.png',
    });
    expect(updated).toMatchObject({
      name: 'Grace Hopper',
      imageUrl: 'https://img.example.com/grace.png',
    });
    expect(await client.auth.me.query()).toEqual(updated);

    expect(await client.auth.updateProfile.mutate({ imageUrl: null })).toMatchObject({
      name: 'Grace Hopper',
      imageUrl: null,
    });
  });

  it.each([
    ['a javascript: image url', { imageUrl: 'javascript:alert(1)' }],
    ['an overlong name', { name: 'x'.repeat(201) }],
  ])('refuses %s', async (_name, input) => {
    const t = await createTestApp();
    const account = await registerAccount(t);

    const error = await failure(
      t.client({ accessToken: account.accessToken }).auth.updateProfile.mutate(input),
    );

    expect(error.appCode).toBe('VALIDATION_FAILED');
  });
});
