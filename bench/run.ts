/**
 * `pnpm bench`: starts the built API, a raw Hono baseline and the Stripe emulator on one
 * durable embedded Postgres, then measures every suite's figures (bench/suites/) interleaved,
 * median of BENCH_RUNS runs, prints a table of figures and ratios and writes
 * bench/results/latest.json. Absolute figures drift ~30% between runs on this machine class;
 * ratios are the result. BENCH_ONLY=request-path,webhooks runs only the named suites;
 * BENCH_FIGURES=debit.spread.1p,baseline.debit.spread only those figures (and the ratios
 * between them).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startBenchEnvironment } from './lib/environment';
import { CONNECTIONS, type LoadResult, median } from './lib/load';
import type { BenchSettings, Figure, Ratio, Suite } from './lib/suite';
import { suites } from './suites/index';

const settings: BenchSettings = {
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  runs: Number(process.env.BENCH_RUNS ?? 3),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3),
};
/**
 * A pause after each figure: the load generator stops, but what it queued does not (login's
 * hashing backlog, autovacuum after a write figure) and would be billed to the next figure.
 */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1000);
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const figureIds = process.env.BENCH_FIGURES?.split(',').map((id) => id.trim());
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

async function main() {
  const selected = suites.filter((suite) => !only || only.includes(suite.name));
  if (selected.length === 0) throw new Error(`BENCH_ONLY matches no suite: ${only?.join(',')}`);
  const environment = await startBenchEnvironment({ repoRoot, settings });
  const { context } = environment;
  const started: Suite[] = [];
  try {
    for (const definition of selected) started.push(await definition.setup(context));
    const figures: Figure[] = started
      .flatMap((suite) => suite.figures)
      .filter((figure) => !figureIds || figureIds.includes(figure.id));
    if (figures.length === 0) throw new Error(`BENCH_FIGURES matches no figure: ${figureIds}`);
    const measured = new Set(figures.map((figure) => figure.id));
    const ratios: Ratio[] = started
      .flatMap((suite) => suite.ratios)
      .filter((ratio) => measured.has(ratio.numerator) && measured.has(ratio.denominator));

    console.log(
      `Benchmark (${selected.map((suite) => suite.name).join(', ')}): ${CONNECTIONS} connections, ${settings.runs} run(s) of ${settings.durationSeconds}s per figure (interleaved), ${settings.warmupSeconds}s warm-up, ${os.cpus().length} CPUs, Node ${process.version}`,
    );
    for (const figure of figures) {
      await figure.measure(settings.warmupSeconds);
      await sleep(SETTLE_MS);
    }

    const samples = new Map<string, LoadResult[]>(figures.map((figure) => [figure.id, []]));
    for (let run = 1; run <= settings.runs; run++) {
      for (const figure of figures) {
        const result = await figure.measure(settings.durationSeconds);
        samples.get(figure.id)?.push(result);
        await sleep(SETTLE_MS);
        console.log(
          `  run ${run}/${settings.runs} ${figure.label.padEnd(44)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${result.p99Ms} ms`,
        );
      }
    }
    const extras: Record<string, unknown> = {};
    for (const suite of started) Object.assign(extras, await suite.after?.());

    const results = figures.map((figure) => {
      const runs = samples.get(figure.id) ?? [];
      const requestsPerSecond = Math.round(median(runs.map((r) => r.requestsPerSecond)));
      return {
        id: figure.id,
        label: figure.label,
        requestsPerSecond,
        p50Ms: median(runs.map((r) => r.p50Ms)),
        p99Ms: median(runs.map((r) => r.p99Ms)),
        ...(figure.target !== undefined && {
          target: figure.target,
          meetsTarget: requestsPerSecond >= figure.target,
        }),
        runs,
      };
    });
    const byId = new Map(results.map((result) => [result.id, result]));
    const ratioResults = ratios.map((ratio) => {
      const numerator = byId.get(ratio.numerator)?.requestsPerSecond ?? Number.NaN;
      const denominator = byId.get(ratio.denominator)?.requestsPerSecond ?? Number.NaN;
      return { ...ratio, value: Math.round((numerator / denominator) * 100) / 100 };
    });

    console.log('\n| figure | req/s | p50 ms | p99 ms | target |\n|---|---:|---:|---:|---:|');
    for (const result of results) {
      const target = 'target' in result ? `≥ ${result.target}/s` : '—';
      console.log(
        `| ${result.label} | ${result.requestsPerSecond} | ${result.p50Ms} | ${result.p99Ms} | ${target} |`,
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
          settings: { connections: CONNECTIONS, ...settings },
          suites: selected.map((suite) => suite.name),
          results,
          ratios: ratioResults,
          ...extras,
        },
        null,
        2,
      )}\n`,
    );
    console.log('\nwritten: bench/results/latest.json');
  } finally {
    for (const suite of started) await suite.stop?.();
    await environment.stop();
  }
}

await main();
