/**
 * All configuration, parsed once from the environment at start-up. A missing or malformed
 * value stops the process with one line naming the variable (never its value: some are
 * secrets). `process.env` is read here and in the entry points only.
 */
import { z } from 'zod';
import {
  isRateLimitName,
  RATE_LIMIT_DEFAULTS,
  type RateLimitName,
  type RateLimitRule,
} from './auth/rate-limit/rules';
import { decodeServerKey } from './auth/secrets/server-key';
import { isStrongNextAuthSecret, MIN_SECRET_BYTES } from './auth/tokens/nextauth-secret';
import { normalizeEmail } from './lib/email';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` });

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const postgresUrl = z.url({
  protocol: /^postgres(ql)?$/,
  error: 'must be a postgres:// or postgresql:// URL',
});

/** Origins only (scheme, host, port): a path or a wildcard would make CORS mean something else. */
const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine(
        (origin) => {
          try {
            return new URL(origin).origin === origin;
          } catch {
            return false;
          }
        },
        { error: 'must be a comma-separated list of origins like https://app.example.com' },
      ),
    ),
  );

/** "name=points/seconds,…" over the defaults of auth/rate-limit-rules.ts. */
const rateLimits = z.string().transform((value, ctx) => {
  const rules: Record<RateLimitName, RateLimitRule> = { ...RATE_LIMIT_DEFAULTS };
  for (const entry of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z.]+)=(\d{1,7})\/(\d{1,7})$/.exec(entry);
    const name = match?.[1];
    if (!match || !name || !isRateLimitName(name) || Number(match[2]) < 1 || Number(match[3]) < 1) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a list like login.account=5/900 with names from ${Object.keys(RATE_LIMIT_DEFAULTS).join(', ')}`,
      });
      return z.NEVER;
    }
    rules[name] = { points: Number(match[2]), seconds: Number(match[3]) };
  }
  return rules;
});

const emailList = z
  .string()
  .transform((value) => value.split(',').map(normalizeEmail).filter(Boolean))
  .pipe(z.array(z.email({ error: 'must be a comma-separated list of email addresses' })));

const smtpUrl = z.url({
  protocol: /^smtps?$/,
  error: 'must be an smtp:// or smtps:// URL',
});

/** NextAuth derives its encryption key from it: 32+ random bytes (auth/tokens/nextauth-secret.ts). */
const authSecret = z.string().refine(isStrongNextAuthSecret, {
  error: `must be at least ${MIN_SECRET_BYTES} random bytes, e.g. from openssl rand -base64 32 (this one is too short or too predictable)`,
});

/** The server key of auth/secrets/server-key.ts: 32+ random bytes, hex or base64. */
const serverKey = z.string().transform((value, ctx) => {
  const key = decodeServerKey(value);
  if (key) return key;
  ctx.addIssue({
    code: 'custom',
    message: 'must be at least 32 random bytes as hex or base64 (openssl rand -base64 32)',
  });
  return z.NEVER;
});

/** A Stripe secret or restricted key (the emulator's `sk_test_emulator_…` fits too). */
const stripeSecretKey = z.string().regex(/^(sk|rk)_(test|live)_\S+$/, {
  error: 'must be a Stripe secret key (sk_test_…, sk_live_…)',
});

const stripeWebhookSecret = z
  .string()
  .regex(/^whsec_\S+$/, { error: 'must be a Stripe webhook signing secret (whsec_…)' });

const schema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'test', 'production'], {
        error: 'must be development, test or production',
      })
      // Unset means development, but only an explicit value prints mail (printCapturedMail).
      .optional(),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: integer(1, 65_535).default(3000),
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_POOL_MAX: integer(1, 200).default(10),
    /**
     * How long a request waits for a database connection (a free pooled one, or a new one
     * being opened) before it answers 503 SERVICE_UNAVAILABLE.
     */
    DATABASE_CONNECT_TIMEOUT_MS: integer(100, 60_000).default(3_000),
    /** The server cancels a statement (lock waits included) after this long: 503; 0 leaves the server's setting. */
    DATABASE_STATEMENT_TIMEOUT_MS: integer(0, 600_000).default(5_000),
    /** Without DATABASE_URL (dev only): where the embedded cluster keeps its data, and its port. */
    EMBEDDED_POSTGRES_DIR: z.string().min(1).optional(),
    EMBEDDED_POSTGRES_PORT: integer(1, 65_535).optional(),
    /** Apply pending migrations before listening (the dev default; Render runs them pre-deploy). */
    MIGRATE_ON_START: booleanFlag.optional(),
    LOG_LEVEL: z
      .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
      .default('info'),
    ALLOWED_ORIGINS: originList.optional(),
    PUBLIC_URL: httpUrl.optional(),
    /** How many proxies (Render, a load balancer) append to X-Forwarded-For in front of us. */
    TRUST_PROXY_HOPS: integer(0, 10).default(0),
    BODY_LIMIT_BYTES: integer(1_024, 50 * 1_024 * 1_024).default(1_024 * 1_024),
    SHUTDOWN_TIMEOUT_MS: integer(0, 120_000).default(10_000),
    /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
    METRICS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
    /** Shown by GET /version; Render sets RENDER_GIT_COMMIT. */
    GIT_COMMIT: z.string().optional(),
    RENDER_GIT_COMMIT: z.string().optional(),
    /** The frontend: links in emails and OAuth redirects point here. */
    APP_URL: httpUrl.optional(),
    /** Without it, outside production, mail is captured (printed in dev) instead of sent. */
    SMTP_URL: smtpUrl.optional(),
    MAIL_FROM: z.string().min(3).default('Tollbooth <no-reply@tollbooth.local>'),
    /** A JWK set (JSON) of Ed25519 or P-256 private keys: the first signs, all verify. */
    JWT_PRIVATE_KEYS: z.string().min(2).optional(),
    /** These accounts become admins once their address is verified (auth/verified-accounts.ts). */
    ADMIN_EMAILS: emailList.optional(),
    RATE_LIMITS: rateLimits.optional(),
    /**
     * `open`: register signs in at once (and answers EMAIL_TAKEN for a known address).
     * `verify-first`: register answers alike for every address and the account exists only
     * once the mailed link is redeemed (auth/verify-first.ts).
     */
    REGISTRATION_MODE: z
      .enum(['open', 'verify-first'], { error: 'must be open or verify-first' })
      .default('open'),
    /** A session ends this long after sign-in, however often it is refreshed. */
    SESSION_MAX_AGE_DAYS: integer(1, 3650).default(90),
    /** Keys login codes at rest and refresh-token successors; required in production. */
    AUTH_SECRET_KEY: serverKey.optional(),
    /**
     * Where argon2 runs: `process` (a helper process at low CPU priority, so logins at full
     * load cannot starve the event loop) or `inline` (this process's thread pool).
     */
    PASSWORD_HASHER: z
      .enum(['process', 'inline'], { error: 'must be process or inline' })
      .optional(),
    /**
     * Hashes the helper process runs at once. Unset: one per core this process may use
     * (auth/passwords/password-hasher.ts), so logins get every core the API leaves idle.
     */
    PASSWORD_HASHER_THREADS: integer(1, 64).optional(),
    /** Run the job worker inside the API process (dev default); production runs `pnpm worker`. */
    WORKER_IN_PROCESS: booleanFlag.optional(),
    /** A Next.js frontend's NextAuth.js (v4) or Auth.js (v5) secret, to accept its session tokens. */
    NEXTAUTH_SECRET: authSecret.optional(),
    AUTH_SECRET: authSecret.optional(),
    /**
     * Take a NextAuth token's email as verified even without `email_verified: true`: only
     * when every provider of the Next.js app verifies addresses (auth/nextauth-bridge.ts).
     */
    NEXTAUTH_TRUST_EMAIL: booleanFlag.optional(),
    GOOGLE_CLIENT_ID: z.string().min(1).optional(),
    GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
    /** The OpenID issuer; only tests and staging point this elsewhere. */
    GOOGLE_ISSUER_URL: httpUrl.default('https://accounts.google.com'),
    GITHUB_CLIENT_ID: z.string().min(1).optional(),
    GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
    /** Where GitHub's /login/oauth/* and its REST API live (GitHub Enterprise, tests). */
    GITHUB_OAUTH_URL: httpUrl.default('https://github.com'),
    GITHUB_API_URL: httpUrl.default('https://api.github.com'),
    /** Without it billing is off: catalog changes and payments answer BILLING_DISABLED. */
    STRIPE_SECRET_KEY: stripeSecretKey.optional(),
    /** Verifies POST /webhooks/stripe; required in production once Stripe is on. */
    STRIPE_WEBHOOK_SECRET: stripeWebhookSecret.optional(),
    /** Where the Stripe API lives: unset means Stripe itself; dev points it at the emulator. */
    STRIPE_API_URL: httpUrl.optional(),
    /** One Stripe request may take this long before it counts as failed (and is retried). */
    STRIPE_TIMEOUT_MS: integer(1_000, 120_000).default(15_000),
    /** The SDK's own retries of a failed request (with the same idempotency key). */
    STRIPE_MAX_NETWORK_RETRIES: integer(0, 10).default(2),
    /**
     * Access of a `past_due` subscription while Stripe retries the payment: `keep` the plan
     * (the default: a card that failed once is usually fixed) or drop to `free` at once.
     */
    BILLING_PAST_DUE_ACCESS: z
      .enum(['keep', 'free'], { error: 'must be keep or free' })
      .default('keep'),
    /** A debit that takes a balance below this many credits sends one low-balance mail; 0: none. */
    CREDITS_LOW_THRESHOLD: integer(0, 1_000_000_000).default(100),
    /**
     * Concurrent credits.debit calls in one process share one transaction, whatever their
     * accounts (credits/debit/debit-lane.ts, debit-batch.ts); `false` gives each its own.
     */
    CREDITS_GROUP_COMMIT: booleanFlag.default(true),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    // Billing on without verified webhooks would accept forged payment events.
    if (env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_WEBHOOK_SECRET'],
        message: 'is required in production when STRIPE_SECRET_KEY is set',
      });
    }
    for (const key of [
      'DATABASE_URL',
      'PUBLIC_URL',
      'APP_URL',
      'JWT_PRIVATE_KEYS',
      'SMTP_URL',
      'AUTH_SECRET_KEY',
    ] as const) {
      if (!env[key])
        ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
    }
  })
  .transform((env) => ({
    nodeEnv: env.NODE_ENV ?? 'development',
    isProduction: env.NODE_ENV === 'production',
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    databaseConnectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    databaseStatementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    embeddedPostgres: { dataDir: env.EMBEDDED_POSTGRES_DIR, port: env.EMBEDDED_POSTGRES_PORT },
    migrateOnStart: env.MIGRATE_ON_START ?? env.NODE_ENV !== 'production',
    logLevel: env.LOG_LEVEL,
    // The example Next.js app (apps/web) runs on 3001 in dev.
    allowedOrigins:
      env.ALLOWED_ORIGINS ?? (env.NODE_ENV === 'production' ? [] : ['http://localhost:3001']),
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    metricsToken: env.METRICS_TOKEN,
    gitCommit: env.GIT_COMMIT ?? env.RENDER_GIT_COMMIT,
    appUrl: env.APP_URL ?? 'http://localhost:3001',
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    // Captured mail carries live codes and links: print it only where a developer asked for
    // development (`pnpm dev` sets it), never because NODE_ENV was merely left unset on a
    // platform whose stdout is a shipped log.
    printCapturedMail: env.NODE_ENV === 'development',
    jwtPrivateKeys: env.JWT_PRIVATE_KEYS,
    adminEmails: env.ADMIN_EMAILS ?? [],
    sessionMaxAgeDays: env.SESSION_MAX_AGE_DAYS,
    rateLimits: env.RATE_LIMITS ?? { ...RATE_LIMIT_DEFAULTS },
    registrationMode: env.REGISTRATION_MODE,
    authSecretKey: env.AUTH_SECRET_KEY,
    workerInProcess: env.WORKER_IN_PROCESS ?? (env.NODE_ENV ?? 'development') === 'development',
    // Tests hash inline (one process per test file is plenty); servers use the helper.
    passwordHasher: env.PASSWORD_HASHER ?? (env.NODE_ENV === 'test' ? 'inline' : 'process'),
    passwordHasherThreads: env.PASSWORD_HASHER_THREADS,
    nextAuthSecret: env.NEXTAUTH_SECRET ?? env.AUTH_SECRET,
    nextAuthTrustEmail: env.NEXTAUTH_TRUST_EMAIL ?? false,
    stripe: env.STRIPE_SECRET_KEY
      ? {
          secretKey: env.STRIPE_SECRET_KEY,
          webhookSecret: env.STRIPE_WEBHOOK_SECRET,
          apiUrl: env.STRIPE_API_URL,
          timeoutMs: env.STRIPE_TIMEOUT_MS,
          maxNetworkRetries: env.STRIPE_MAX_NETWORK_RETRIES,
        }
      : undefined,
    billingPastDueAccess: env.BILLING_PAST_DUE_ACCESS,
    creditsLowThreshold: env.CREDITS_LOW_THRESHOLD,
    creditsGroupCommit: env.CREDITS_GROUP_COMMIT,
    oauth: {
      google:
        env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET
          ? {
              clientId: env.GOOGLE_CLIENT_ID,
              clientSecret: env.GOOGLE_CLIENT_SECRET,
              issuerUrl: env.GOOGLE_ISSUER_URL,
            }
          : undefined,
      github:
        env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
          ? {
              clientId: env.GITHUB_CLIENT_ID,
              clientSecret: env.GITHUB_CLIENT_SECRET,
              oauthUrl: env.GITHUB_OAUTH_URL,
              apiUrl: env.GITHUB_API_URL,
            }
          : undefined,
    },
  }));

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, as in most .env tooling. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
}

/**
 * For entry points (server, dev, worker): a bad configuration ends the process with its one
 * line on stderr and status 1, before anything starts.
 */
export function parseConfigOrExit(env: Record<string, string | undefined>): Config {
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = withoutEmpty(env);
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  const message = variable in present || issue?.code === 'custom' ? issue?.message : 'is required';
  const others = result.error.issues.length - 1;
  throw new ConfigError(
    `Invalid configuration: ${variable} ${message}${others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : ''}`,
    variable,
  );
}
