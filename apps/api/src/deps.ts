/**
 * Everything the app talks to, built once and passed in: tests swap the clock or the log
 * destination and reuse the rest as it runs in production.
 */

import type { Database } from '@tollbooth/db';
import { createDb } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type Stripe from 'stripe';
import { createProcessPasswordHasher } from './auth/passwords/password-hasher';
import { inlinePasswordHasher, type PasswordHasher } from './auth/passwords/passwords';
import { createPostgresRateLimiter, type RateLimiter } from './auth/rate-limit/postgres-limiter';
import { loadServerKeys, type ServerKeys } from './auth/secrets/server-key';
import { type AccessTokens, createAccessTokens } from './auth/tokens/access-tokens';
import { createNextAuthTokens, type NextAuthTokens } from './auth/tokens/nextauth-tokens';
import { type KeyRing, loadKeyRing } from './auth/tokens/signing-keys';
import { countSubscriptionsByStatus } from './billing/mirror/subscriptions.queries';
import { createStripeClient } from './billing/stripe-client';
import type { Config } from './config';
import { type Clock, systemClock } from './lib/clock';
import { createLogger, type Logger } from './lib/logger';
import { cryptoRandom, type RandomSource } from './lib/random';
import { devDataPath } from './lib/repo-root';
import { createCaptureMailer, createSmtpMailer, type Mailer } from './mail/mailer';
import { createMetrics, type Metrics } from './metrics/metrics';

export interface Deps {
  config: Config;
  db: Kysely<Database>;
  pool: pg.Pool;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  random: RandomSource;
  mailer: Mailer;
  /** The access-token key ring, loaded once on first use. */
  keys: () => Promise<KeyRing>;
  accessTokens: AccessTokens;
  /** Subkeys of AUTH_SECRET_KEY: login codes at rest, refresh-token successors. */
  serverKeys: ServerKeys;
  /** Accepts NextAuth/Auth.js session tokens when NEXTAUTH_SECRET or AUTH_SECRET is set. */
  nextAuthTokens: NextAuthTokens | null;
  rateLimiter: RateLimiter;
  /** argon2: in a low-priority helper process (PASSWORD_HASHER=process) or inline. */
  passwords: PasswordHasher;
  /** The Stripe SDK (or the emulator behind STRIPE_API_URL); null when billing is off. */
  stripe: Stripe | null;
}

export interface DepsOverrides {
  logger?: Logger;
  clock?: Clock;
  mailer?: Mailer;
  random?: RandomSource;
  /** Replaces the argon2 hasher (tests count verifications through a wrapper). */
  passwords?: PasswordHasher;
}

/** Where development keeps captured mail (`.data/mail/`), readable without a mail server. */
const DEV_MAIL_DIR = devDataPath('mail');

/**
 * SMTP when SMTP_URL is set. Otherwise mail is captured: printed and kept under `.data/mail/`
 * only with an explicit NODE_ENV=development (config.printCapturedMail); anywhere else it stays
 * in memory, since stdout and disk may be a platform's log and volume, and a captured login
 * code or link is a live credential. Tests capture on purpose; any other start says once that
 * nothing is delivered.
 */
function createMailer(config: Config, logger: Logger): Mailer & { close?(): void } {
  if (config.smtpUrl) return createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom });
  if (config.printCapturedMail) {
    return createCaptureMailer({ print: true, directory: DEV_MAIL_DIR });
  }
  if (config.nodeEnv !== 'test') {
    logger.warn(
      'SMTP_URL is not set and NODE_ENV is not development: mail is not delivered (kept in memory only)',
    );
  }
  return createCaptureMailer({ print: false });
}

export interface OwnedDeps {
  deps: Deps;
  /** Releases what createDeps opened (the pool). */
  close(): Promise<void>;
}

export function createDeps(config: Config, overrides: DepsOverrides = {}): OwnedDeps {
  if (!config.databaseUrl) throw new Error('createDeps needs config.databaseUrl');
  const logger =
    overrides.logger ??
    createLogger({ level: config.logLevel, pretty: config.nodeEnv === 'development' });
  const handle = createDb({
    connectionString: config.databaseUrl,
    max: config.databasePoolMax,
    connectionTimeoutMillis: config.databaseConnectTimeoutMs,
    statementTimeoutMillis: config.databaseStatementTimeoutMs,
    onIdleClientError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  });
  const clock = overrides.clock ?? systemClock;
  const passwords =
    overrides.passwords ??
    (config.passwordHasher === 'process'
      ? createProcessPasswordHasher(logger, { threads: config.passwordHasherThreads })
      : inlinePasswordHasher);
  const mailer = overrides.mailer ?? createMailer(config, logger);
  if (!config.stripe && config.nodeEnv !== 'test') {
    logger.warn('STRIPE_SECRET_KEY is not set: billing is disabled (BILLING_DISABLED)');
  }
  let keyRing: Promise<KeyRing> | undefined;
  const keys = () => {
    keyRing ??= loadKeyRing({ jwtPrivateKeys: config.jwtPrivateKeys, nodeEnv: config.nodeEnv });
    return keyRing;
  };
  return {
    deps: {
      config,
      db: handle.db,
      pool: handle.pool,
      logger,
      clock,
      metrics: createMetrics(handle.pool, {
        subscriptionsByStatus: () => countSubscriptionsByStatus(handle.db),
      }),
      random: overrides.random ?? cryptoRandom,
      mailer,
      keys,
      accessTokens: createAccessTokens({ keys, issuer: config.publicUrl, clock }),
      serverKeys: loadServerKeys({ authSecretKey: config.authSecretKey, nodeEnv: config.nodeEnv }),
      nextAuthTokens: config.nextAuthSecret
        ? createNextAuthTokens({ secret: config.nextAuthSecret, clock })
        : null,
      rateLimiter: createPostgresRateLimiter(handle.pool, config.rateLimits),
      passwords,
      stripe: createStripeClient(config.stripe),
    },
    async close() {
      if ('close' in mailer && typeof mailer.close === 'function') mailer.close();
      await passwords.close?.();
      await handle.close();
    },
  };
}
