/**
 * `pnpm bench`: starts the built API and a raw Hono baseline on one durable embedded
 * Postgres, measures each figure beside its baseline in the same run (interleaved, median of
 * BENCH_RUNS runs), prints a table of ratios and writes bench/results/latest.json.
 * Absolute figures drift ~30% between runs on this machine class; ratios are the result.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tollbooth/db/testing';
import { createTollboothClient, memoryTokenStore, type StoredTokens } from '@tollbooth/sdk';
import { startBenchEmulator } from './lib/emulator';
import { CONNECTIONS, type LoadResult, median, type RequestSpec, runLoad } from './lib/load';
import { startBenchDatabase } from './lib/postgres';
import { type ServerProcess, startServerProcess } from './lib/processes';
import { BENCH_WEBHOOK_SECRET, distinctEvents, duplicateEvent } from './lib/webhooks';

const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

interface Figure {
  id: string;
  label: string;
  server: 'api' | 'baseline';
  request: RequestSpec;
}

interface Ratio {
  label: string;
  numerator: string;
  denominator: string;
  /** The target from PERFORMANCE.md, when it sets one. */
  target?: number;
}

/** The exact request the SDK sends for a call, captured from the SDK itself. */
async function sdkWireRequest(
  apiUrl: string,
  call: (client: ReturnType<typeof createTollboothClient>) => Promise<unknown>,
  tokens: StoredTokens | null = null,
) {
  let captured: RequestSpec | undefined;
  const client = createTollboothClient({
    url: apiUrl,
    tokenStore: memoryTokenStore(tokens),
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      captured = {
        method: init?.method === 'POST' ? 'POST' : 'GET',
        path: `${url.pathname}${url.search}`,
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        body: typeof init?.body === 'string' ? init.body : undefined,
      };
      return fetch(input, init);
    },
  });
  await call(client);
  if (!captured) throw new Error('the SDK sent no request');
  return captured;
}

/** One Ed25519 key for the API (JWT_PRIVATE_KEYS) and its public half for the baseline. */
function benchSigningKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = 'bench';
  return {
    privateJwks: JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid }] }),
    publicJwk: JSON.stringify({ ...publicKey.export({ format: 'jwk' }), kid }),
  };
}

/** Logins at full load must measure argon2 and sessions, not the rate limiter. */
const BENCH_RATE_LIMITS = 'login.ip=9999999/60,login.account=9999999/60,register.ip=9999999/60';
const BENCH_PASSWORD = 'bench passphrase 1';
/** A few connections probing /healthz while logins saturate the CPU. */
const PROBE_CONNECTIONS = 5;

async function main() {
  const database = await startBenchDatabase();
  const signingKey = benchSigningKey();
  const servers: ServerProcess[] = [];
  try {
    // The Stripe the API re-reads objects from when it applies an event.
    const emulator = await startBenchEmulator(repoRoot);
    servers.push(emulator);
    const apiPort = await freePort();
    const api = await startServerProcess({
      name: 'api',
      args: ['apps/api/dist/server.js'],
      cwd: repoRoot,
      port: apiPort,
      readyPath: '/healthz',
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
        APP_URL: 'http://127.0.0.1:3001',
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        LOG_LEVEL: 'info',
        DATABASE_POOL_MAX: '10',
        JWT_PRIVATE_KEYS: signingKey.privateJwks,
        AUTH_SECRET_KEY: randomBytes(32).toString('base64'),
        // Required in production; no worker runs here, so nothing is ever sent.
        SMTP_URL: 'smtp://127.0.0.1:1',
        RATE_LIMITS: BENCH_RATE_LIMITS,
        STRIPE_SECRET_KEY: emulator.secretKey,
        STRIPE_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
        STRIPE_API_URL: emulator.url,
      },
    });
    servers.push(api);
    const baselinePort = await freePort();
    const baseline = await startServerProcess({
      name: 'baseline',
      args: ['--import', 'tsx', 'bench/baseline-server.ts'],
      cwd: repoRoot,
      port: baselinePort,
      readyPath: '/ready',
      env: {
        DATABASE_URL: database.url,
        PORT: String(baselinePort),
        DATABASE_POOL_MAX: '10',
        BENCH_JWT_PUBLIC_JWK: signingKey.publicJwk,
        BENCH_JWT_ISSUER: `http://127.0.0.1:${apiPort}`,
        BENCH_WEBHOOK_SECRET,
      },
    });
    servers.push(baseline);

    // One account: its access token for auth.me (valid 15 minutes, longer than the
    // figures that use it take) and its password for the login load.
    const email = `bench-${Date.now()}@example.test`;
    const registered = await createTollboothClient({ url: api.url }).auth.register.mutate({
      email,
      password: BENCH_PASSWORD,
    });
    // The bench runs in the default REGISTRATION_MODE=open, which signs the account in.
    if (registered.verificationRequired) throw new Error('bench needs REGISTRATION_MODE=open');
    const tokens = { accessToken: registered.accessToken, refreshToken: registered.refreshToken };
    const login = await sdkWireRequest(api.url, (client) =>
      client.auth.login.mutate({ email, password: BENCH_PASSWORD }),
    );

    // Webhooks: one event stored before the duplicate figure repeats it; one customer in
    // Stripe for the applied figure to re-read (linked to no account, so nothing else moves).
    const duplicate = duplicateEvent('dup');
    const stored = await fetch(`${api.url}/webhooks/stripe`, duplicate.first());
    if (!stored.ok) throw new Error(`the API refused a signed webhook: ${stored.status}`);
    const customer = await emulator.createCustomer();

    const figures: Figure[] = [
      {
        id: 'system.info',
        label: 'system.info (SDK wire protocol)',
        server: 'api',
        request: await sdkWireRequest(api.url, (client) => client.system.info.query()),
      },
      {
        id: 'raw.info',
        label: 'raw Hono route, same query',
        server: 'baseline',
        request: { method: 'GET', path: '/info' },
      },
      {
        id: 'auth.me',
        label: 'auth.me with a valid access token',
        server: 'api',
        request: await sdkWireRequest(api.url, (client) => client.auth.me.query(), tokens),
      },
      {
        id: 'raw.me',
        label: 'raw Hono: jose verify + user query',
        server: 'baseline',
        request: {
          method: 'GET',
          path: '/me',
          headers: { authorization: `Bearer ${tokens.accessToken}` },
        },
      },
      {
        id: 'healthz',
        label: 'GET /healthz',
        server: 'api',
        request: { method: 'GET', path: '/healthz' },
      },
      {
        id: 'auth.login',
        label: 'auth.login (argon2id m=19MiB t=2 p=1)',
        server: 'api',
        request: login,
      },
      {
        id: 'webhook.distinct',
        label: 'webhook: distinct events, stored once',
        server: 'api',
        request: distinctEvents('api'),
      },
      {
        id: 'webhook.applied',
        label: 'webhook: distinct customer.updated, re-read from Stripe',
        server: 'api',
        request: distinctEvents('applied', 'customer.updated', customer),
      },
      {
        id: 'webhook.duplicate',
        label: 'webhook: one event again (duplicate)',
        server: 'api',
        request: duplicate.spec,
      },
      {
        id: 'raw.webhook',
        label: 'raw Hono: HMAC verify + one INSERT',
        server: 'baseline',
        request: distinctEvents('raw'),
      },
    ];
    const ratios: Ratio[] = [
      { label: 'system.info / raw Hono', numerator: 'system.info', denominator: 'raw.info' },
      { label: 'auth.me / raw jose+pg', numerator: 'auth.me', denominator: 'raw.me', target: 0.8 },
      {
        label: 'webhook distinct / raw verify+insert',
        numerator: 'webhook.distinct',
        denominator: 'raw.webhook',
      },
      {
        label: 'webhook duplicate / raw verify+insert',
        numerator: 'webhook.duplicate',
        denominator: 'raw.webhook',
      },
    ];
    const urls = { api: api.url, baseline: baseline.url };

    console.log(
      `Benchmark: ${CONNECTIONS} connections, ${RUNS} run(s) of ${DURATION_SECONDS}s per figure (interleaved), ${WARMUP_SECONDS}s warm-up, ${os.cpus().length} CPUs, Node ${process.version}`,
    );
    for (const figure of figures)
      await runLoad(urls[figure.server], figure.request, WARMUP_SECONDS);

    const samples = new Map<string, LoadResult[]>(figures.map((figure) => [figure.id, []]));
    for (let run = 1; run <= RUNS; run++) {
      for (const figure of figures) {
        const result = await runLoad(urls[figure.server], figure.request, DURATION_SECONDS);
        samples.get(figure.id)?.push(result);
        console.log(
          `  run ${run}/${RUNS} ${figure.label.padEnd(34)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${result.p99Ms} ms`,
        );
      }
    }

    // /healthz while logins run at full load: argon2 runs on libuv's pool, so the event
    // loop (and the health check) must stay responsive. Probed with a few connections.
    const healthzSpec: RequestSpec = { method: 'GET', path: '/healthz' };
    const idleProbe: LoadResult[] = [];
    const loadedProbe: LoadResult[] = [];
    const loginUnderProbe: LoadResult[] = [];
    for (let run = 1; run <= RUNS; run++) {
      idleProbe.push(await runLoad(api.url, healthzSpec, DURATION_SECONDS, PROBE_CONNECTIONS));
      const [loginLoad, probe] = await Promise.all([
        runLoad(api.url, login, DURATION_SECONDS),
        runLoad(api.url, healthzSpec, DURATION_SECONDS, PROBE_CONNECTIONS),
      ]);
      loginUnderProbe.push(loginLoad);
      loadedProbe.push(probe);
      console.log(
        `  run ${run}/${RUNS} /healthz p99 idle ${idleProbe.at(-1)?.p99Ms} ms, under login load ${probe.p99Ms} ms (logins ${loginLoad.requestsPerSecond.toFixed(0)} req/s)`,
      );
    }
    const healthzIdleP99 = median(idleProbe.map((r) => r.p99Ms));
    const healthzLoadedP99 = median(loadedProbe.map((r) => r.p99Ms));
    const healthzUnderLoginLoad = {
      connections: PROBE_CONNECTIONS,
      idleP99Ms: healthzIdleP99,
      underLoginLoadP99Ms: healthzLoadedP99,
      ratio: Math.round((healthzLoadedP99 / Math.max(healthzIdleP99, 1)) * 100) / 100,
      target: '< 5×',
      loginRequestsPerSecond: Math.round(median(loginUnderProbe.map((r) => r.requestsPerSecond))),
    };

    const results = figures.map((figure) => {
      const runs = samples.get(figure.id) ?? [];
      return {
        id: figure.id,
        label: figure.label,
        requestsPerSecond: Math.round(median(runs.map((r) => r.requestsPerSecond))),
        p50Ms: median(runs.map((r) => r.p50Ms)),
        p99Ms: median(runs.map((r) => r.p99Ms)),
        runs,
      };
    });
    const byId = new Map(results.map((result) => [result.id, result]));
    const ratioResults = ratios.map((ratio) => {
      const numerator = byId.get(ratio.numerator)?.requestsPerSecond ?? Number.NaN;
      const denominator = byId.get(ratio.denominator)?.requestsPerSecond ?? Number.NaN;
      return { ...ratio, value: Math.round((numerator / denominator) * 100) / 100 };
    });

    console.log('\n| figure | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|');
    for (const result of results) {
      console.log(
        `| ${result.label} | ${result.requestsPerSecond} | ${result.p50Ms} | ${result.p99Ms} |`,
      );
    }
    console.log('\n| ratio | value | target |\n|---|---:|---:|');
    for (const ratio of ratioResults) {
      console.log(
        `| ${ratio.label} | ${ratio.value.toFixed(2)}× | ${ratio.target ? `≥ ${ratio.target}×` : '—'} |`,
      );
    }

    console.log(
      `\n/healthz p99 under full login load: ${healthzUnderLoginLoad.underLoginLoadP99Ms} ms vs ${healthzUnderLoginLoad.idleP99Ms} ms idle (${healthzUnderLoginLoad.ratio}×, target < 5×; ${PROBE_CONNECTIONS} probe connections)`,
    );

    // PERFORMANCE.md sets this one as an absolute: ≥ 1,000 distinct events/s on this machine.
    const webhookIngestion = {
      distinctPerSecond: byId.get('webhook.distinct')?.requestsPerSecond ?? 0,
      appliedPerSecond: byId.get('webhook.applied')?.requestsPerSecond ?? 0,
      duplicatePerSecond: byId.get('webhook.duplicate')?.requestsPerSecond ?? 0,
      baselinePerSecond: byId.get('raw.webhook')?.requestsPerSecond ?? 0,
      target: '≥ 1,000 distinct events/s',
    };
    console.log(
      `webhook ingestion: ${webhookIngestion.distinctPerSecond} distinct events/s (target ≥ 1,000), ${webhookIngestion.appliedPerSecond} applied with a Stripe re-read, ${webhookIngestion.duplicatePerSecond} duplicates/s; raw verify+insert ${webhookIngestion.baselinePerSecond}/s`,
    );

    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(
      new URL('./results/latest.json', import.meta.url),
      `${JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          machine: {
            cpus: os.cpus().length,
            node: process.version,
            platform: `${os.platform()} ${os.arch()}`,
          },
          settings: {
            connections: CONNECTIONS,
            durationSeconds: DURATION_SECONDS,
            runs: RUNS,
            warmupSeconds: WARMUP_SECONDS,
          },
          results,
          ratios: ratioResults,
          healthzUnderLoginLoad,
          webhookIngestion,
        },
        null,
        2,
      )}\n`,
    );
    console.log('\nwritten: bench/results/latest.json');
  } finally {
    for (const server of servers) await server.stop();
    await database.stop();
  }
}

await main();
