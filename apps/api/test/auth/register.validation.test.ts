import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { failure, newEmail, PASSWORD, registerAccount, signedIn } from '../support/accounts';

describe('auth.register', () => {
  it('creates an unverified account, signs it in and hides the password hash', async () => {
    const t = await createTestApp();
    const email = newEmail();

    const result = await t.client().auth.register.mutate({ email, password: PASSWORD });

    expect(result.verificationRequired).toBe(false);
    const session = signedIn(result);
    expect(session.user).toEqual({
      id: expect.any(String),
      email,
      name: null,
      imageUrl: null,
      role: 'user',
      emailVerified: false,
      createdAt: expect.any(String),
    });
    expect(session.accessToken.split('.')).toHaveLength(3);
    expect(session.refreshToken).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(result)).not.toContain('argon2');
  });

  it('stores the password as an argon2id hash with OWASP parameters', async () => {
    const t = await createTestApp();
    const { user } = await registerAccount(t);

    const row = await t.deps.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();

    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(row.password_hash).toContain('m=19456');
    expect(row.password_hash).toContain('t=2');
    expect(row.password_hash).toContain('p=1');
  });

  it('answers EMAIL_TAKEN for an address that differs only in case', async () => {
    const t = await createTestApp();
    const { email } = await registerAccount(t);

    const error = await failure(
      t.client().auth.register.mutate({ email: email.toUpperCase(), password: PASSWORD }),
    );

    expect(error).toMatchObject({ code: 'CONFLICT', appCode: 'EMAIL_TAKEN' });
    expect(error.data.fieldErrors).toEqual({ email: ['is already registered'] });
  });

  it.each([
    ['shorter than 8 characters', 'seven77', /at least 8/],
    ['longer than 128 characters', 'x'.repeat(129), /at most 128/],
  ])('refuses a password %s', async (_case, password, message) => {
    const t = await createTestApp();

    const error = await failure(t.client().auth.register.mutate({ email: newEmail(), password }));

    expect(error.appCode).toBe('VALIDATION_FAILED');
    expect(String(error.data.fieldErrors?.password)).toMatch(message);
  });

  it('refuses the email address itself as the password', async () => {
    const t = await createTestApp();
    const email = newEmail();

    const error = await failure(
      t.client().auth.register.mutate({ email, password: email.toUpperCase() }),
    );

    expect(error.data.fieldErrors).toEqual({ password: ['must not be your email address'] });
  });

  it('accepts a password of exactly 8 and of exactly 128 characters', async () => {
    const t = await createTestApp();

    await t.client().auth.register.mutate({ email: newEmail(), password: 'plum-84k' });
    await t.client().auth.register.mutate({ email: newEmail(), password: 'y'.repeat(128) });
  });

  it('refuses a malformed email address', async () => {
    const t = await createTestApp();

    const error = await failure(
      t.client().auth.register.mutate({ email: 'not-an-email', password: PASSWORD }),
    );

    expect(error.data.fieldErrors).toHaveProperty('email');
  });
});
