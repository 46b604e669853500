import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config';

function configError(env: Record<string, string>) {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('NEXTAUTH_SECRET / AUTH_SECRET strength at start-up', () => {
  it.each([
    ['openssl rand -base64 32', randomBytes(32).toString('base64')],
    ['npx auth secret (base64url)', randomBytes(32).toString('base64url')],
    ['openssl rand -hex 32', randomBytes(32).toString('hex')],
    ['a raw 34-character password-manager string', 'Xk#9vQ!2mW&pL7$zR4@tN8^bY1*cF6%hJ3'],
  ])('accepts %s', (_name, secret) => {
    expect(parseConfig({ NEXTAUTH_SECRET: secret }).nextAuthSecret).toBe(secret);
    expect(parseConfig({ AUTH_SECRET: secret }).nextAuthSecret).toBe(secret);
  });

  it.each([
    ['a short string', 'k7Qp-2z'],
    ['one repeated character', 'a'.repeat(64)],
    ['a short repeated pattern', 'abcd1234'.repeat(8)],
    ['a repeated word', 'secret'.repeat(8)],
    ['16 bytes as hex (32 characters)', randomBytes(16).toString('hex')],
    ['24 bytes as base64 (32 characters)', randomBytes(24).toString('base64')],
    ['a base64url phrase under 32 bytes', 'another-secret-of-at-least-32-characters'],
    ['32+ characters from a tiny alphabet', 'aaaaaaaaaaaaaaaa!bbbbbbbbbbbbbbbbb'],
  ])('refuses %s, naming the variable but not the value', (_name, secret) => {
    for (const variable of ['NEXTAUTH_SECRET', 'AUTH_SECRET']) {
      const error = configError({ [variable]: secret });

      expect(error.variable).toBe(variable);
      expect(error.message).toContain(
        `Invalid configuration: ${variable} must be at least 32 random bytes`,
      );
      expect(error.message).not.toContain(secret);
    }
  });

  it('defaults NEXTAUTH_TRUST_EMAIL to off and reads it as a flag', () => {
    expect(parseConfig({}).nextAuthTrustEmail).toBe(false);
    expect(parseConfig({ NEXTAUTH_TRUST_EMAIL: 'true' }).nextAuthTrustEmail).toBe(true);
    expect(configError({ NEXTAUTH_TRUST_EMAIL: 'yes' }).message).toContain(
      'NEXTAUTH_TRUST_EMAIL must be true or false',
    );
  });
});
