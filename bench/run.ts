/**
 * `pnpm bench`: starts the built API and a raw Hono baseline on one durable embedded
 * Postgres, measures each figure beside its baseline in the same run (interleaved, median of
 * BENCH_RUNS runs), prints a table of ratios and writes bench/results/latest.json.
 * Absolute figures drift ~30% between runs on this machine class; ratios are the result.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tollbooth/db/testing';
import { createTollboothClient } from '@tollbooth/sdk';
import { CONNECTIONS, type LoadResult, median, type RequestSpec, runLoad } from './lib/load';
import { startBenchDatabase } from './lib/postgres';
import { type ServerProcess, startServerProcess } from './lib/processes';

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
) {
  let captured: RequestSpec | undefined;
  const client = createTollboothClient({
    url: apiUrl,
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

async function main() {
  const database = await startBenchDatabase();
  const servers: ServerProcess[] = [];
  try {
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
      env: { DATABASE_URL: database.url, PORT: String(baselinePort), DATABASE_POOL_MAX: '10' },
    });
    servers.push(baseline);

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
        id: 'healthz',
        label: 'GET /healthz',
        server: 'api',
        request: { method: 'GET', path: '/healthz' },
      },
    ];
    const ratios: Ratio[] = [
      { label: 'system.info / raw Hono', numerator: 'system.info', denominator: 'raw.info' },
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
