/**
 * All configuration, parsed once from the environment at start-up. A missing or malformed
 * value stops the process with one line naming the variable (never its value: some are
 * secrets). `process.env` is read here and in the entry points only.
 */
import { z } from 'zod';

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

const schema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'test', 'production'], {
        error: 'must be development, test or production',
      })
      .default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: integer(1, 65_535).default(3000),
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_POOL_MAX: integer(1, 200).default(10),
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
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const key of ['DATABASE_URL', 'PUBLIC_URL'] as const) {
      if (!env[key])
        ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
    }
  })
  .transform((env) => ({
    nodeEnv: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
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
