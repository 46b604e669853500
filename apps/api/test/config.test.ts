import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config';

const run = promisify(execFile);

describe('parseConfig', () => {
  it('works with nothing set (dev defaults)', () => {
    const config = parseConfig({});

    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      databaseUrl: undefined,
      migrateOnStart: true,
      publicUrl: 'http://localhost:3000',
      allowedOrigins: ['http://localhost:3001'],
      creditsGroupCommit: true,
    });
  });

  it('parses every value it is given', () => {
    const config = parseConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      DATABASE_URL: 'postgresql://u:p@db.internal:5432/app',
      ALLOWED_ORIGINS: 'https://app.example.com, https://admin.example.com',
      PUBLIC_URL: 'https://api.example.com/',
      TRUST_PROXY_HOPS: '1',
      MIGRATE_ON_START: 'true',
      APP_URL: 'https://app.example.com',
      JWT_PRIVATE_KEYS: '{"keys":[]}',
      SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
      AUTH_SECRET_KEY: 'q83vEjR0Jm9SZ1Yp0l3k2w4uM1b8kq0lC9x7b6n5v4A=',
      ADMIN_EMAILS: 'Boss@Example.com, ops@example.com',
      RATE_LIMITS: 'login.account=3/60',
      PASSWORD_HASHER_THREADS: '3',
      CREDITS_GROUP_COMMIT: 'false',
    });

    expect(config).toMatchObject({
      isProduction: true,
      port: 8080,
      migrateOnStart: true,
      allowedOrigins: ['https://app.example.com', 'https://admin.example.com'],
      publicUrl: 'https://api.example.com',
      trustProxyHops: 1,
      appUrl: 'https://app.example.com',
      adminEmails: ['boss@example.com', 'ops@example.com'],
      passwordHasherThreads: 3,
      creditsGroupCommit: false,
    });
    expect(config.authSecretKey).toHaveLength(32);
    expect(config.rateLimits['login.account']).toEqual({ points: 3, seconds: 60 });
    expect(config.rateLimits['login.ip']).toEqual({ points: 50, seconds: 900 });
  });

  it.each([
    ['PORT', { PORT: 'eighty' }, 'PORT must be an integer from 1 to 65535'],
    ['PORT', { PORT: '70000' }, 'PORT must be an integer from 1 to 65535'],
    [
      'DATABASE_URL',
      { DATABASE_URL: 'mysql://x/y' },
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
    ],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [
      'ALLOWED_ORIGINS',
      { ALLOWED_ORIGINS: 'https://ok.example.com,https://bad.example.com/path' },
      'ALLOWED_ORIGINS must be a comma-separated list of origins',
    ],
    ['MIGRATE_ON_START', { MIGRATE_ON_START: 'yes' }, 'MIGRATE_ON_START must be true or false'],
    [
      'CREDITS_GROUP_COMMIT',
      { CREDITS_GROUP_COMMIT: 'on' },
      'CREDITS_GROUP_COMMIT must be true or false',
    ],
    [
      'PASSWORD_HASHER_THREADS',
      { PASSWORD_HASHER_THREADS: '0' },
      'PASSWORD_HASHER_THREADS must be an integer from 1 to 64',
    ],
    ['RATE_LIMITS', { RATE_LIMITS: 'login.nope=3/60' }, 'RATE_LIMITS must be a list like'],
    ['RATE_LIMITS', { RATE_LIMITS: 'login.ip=0/60' }, 'RATE_LIMITS must be a list like'],
    ['SMTP_URL', { SMTP_URL: 'http://mail' }, 'SMTP_URL must be an smtp:// or smtps:// URL'],
    ['ADMIN_EMAILS', { ADMIN_EMAILS: 'boss' }, 'ADMIN_EMAILS must be a comma-separated list'],
    ['NEXTAUTH_SECRET', { NEXTAUTH_SECRET: 'short' }, 'NEXTAUTH_SECRET must be at least 32'],
    [
      'SESSION_MAX_AGE_DAYS',
      { SESSION_MAX_AGE_DAYS: '0' },
      'SESSION_MAX_AGE_DAYS must be an integer from 1 to 3650',
    ],
    [
      'AUTH_SECRET_KEY',
      { AUTH_SECRET_KEY: 'a'.repeat(62) },
      'AUTH_SECRET_KEY must be at least 32 random bytes',
    ],
    [
      'AUTH_SECRET_KEY',
      { AUTH_SECRET_KEY: '0'.repeat(64) },
      'AUTH_SECRET_KEY must be at least 32 random bytes',
    ],
    [
      'AUTH_SECRET_KEY',
      { AUTH_SECRET_KEY: 'not base64 at all, not hex either!' },
      'AUTH_SECRET_KEY must be at least 32 random bytes',
    ],
    [
      'DATABASE_URL',
      { NODE_ENV: 'production', PUBLIC_URL: 'https://api.example.com' },
      'DATABASE_URL is required in production',
    ],
    [
      'PUBLIC_URL',
      { NODE_ENV: 'production', DATABASE_URL: 'postgres://h/db' },
      'PUBLIC_URL is required in production',
    ],
    [
      'JWT_PRIVATE_KEYS',
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://h/db',
        PUBLIC_URL: 'https://api.example.com',
        APP_URL: 'https://app.example.com',
      },
      'JWT_PRIVATE_KEYS is required in production',
    ],
    [
      'AUTH_SECRET_KEY',
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://h/db',
        PUBLIC_URL: 'https://api.example.com',
        APP_URL: 'https://app.example.com',
        JWT_PRIVATE_KEYS: '{"keys":[]}',
        SMTP_URL: 'smtp://mail.example.com',
      },
      'AUTH_SECRET_KEY is required in production',
    ],
  ])('names %s when it is wrong (%j)', (variable, env, message) => {
    const error = (() => {
      try {
        parseConfig(env);
      } catch (e) {
        return e;
      }
    })();

    expect(error).toBeInstanceOf(ConfigError);
    expect(error instanceof ConfigError && error.variable).toBe(variable);
    expect(error instanceof Error && error.message).toContain(`Invalid configuration: ${message}`);
  });

  it('never repeats the value of a variable in its message (it may be a secret)', () => {
    expect(() => parseConfig({ DATABASE_URL: 'mysql://user:hunter2@host/db' })).toThrow(
      /^(?!.*hunter2).*$/,
    );
  });
});

describe('the server process with a bad configuration', () => {
  it('exits with status 1 and one line naming the variable', async () => {
    const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));

    const result = await run(process.execPath, ['--import', 'tsx', server], {
      env: { PATH: process.env.PATH, PORT: 'not-a-port' },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);

    expect('code' in result && result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: PORT must be an integer from 1 to 65535',
    ]);
  });
});
