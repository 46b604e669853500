/**
 * `pnpm bench:compare <entry>`: one build of the API against another in the same run. The
 * built API (apps/api/dist/server.js) and the API built to `<entry>` (e.g. a copy of an
 * earlier dist, relative to the repo root) run side by side on one database; the selected
 * suites' figures (BENCH_ONLY, default request-path; BENCH_FIGURES picks figure ids) are
 * measured for both, interleaved, and
 * each figure's ratio after/before is printed. A change to the request path is kept only if
 * this shows it (docs/decisions/0014-lean-request-path.md).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startBenchEnvironment } from './lib/environment';
import { type LoadResult, median } from './lib/load';
import type { BenchSettings, Figure, Suite } from './lib/suite';
import { suites } from './suites/index';

const beforeEntry = process.argv[2];
if (!beforeEntry) throw new Error('usage: pnpm bench:compare <entry of the earlier build>');
const settings: BenchSettings = {
  durationSeconds: Number(process.env.BENCH_DURATION ?? 6),
  runs: Number(process.env.BENCH_RUNS ?? 3),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 2),
};
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1000);
const only = (process.env.BENCH_ONLY ?? 'request-path').split(',').map((name) => name.trim());
/** BENCH_FIGURES=system.info,auth.me compares only those figures. */
const figureIds = process.env.BENCH_FIGURES?.split(',').map((id) => id.trim());
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const environment = await startBenchEnvironment({ repoRoot, settings });
const started: Suite[] = [];
try {
  const before = await environment.startApiFrom(beforeEntry, 'api-before');
  const pairs: { after: Figure; before: Figure }[] = [];
  for (const definition of suites.filter((suite) => only.includes(suite.name))) {
    const afterSuite = await definition.setup(environment.context);
    // The suite's further processes (the debit figures' second API) are of the earlier build too.
    const beforeSuite = await definition.setup({
      ...environment.context,
      api: before,
      startApi: (name, extraEnv) =>
        environment.startApiFrom(beforeEntry, `${name}-before`, extraEnv),
    });
    started.push(afterSuite, beforeSuite);
    for (const figure of afterSuite.figures) {
      const twin = beforeSuite.figures.find((candidate) => candidate.id === figure.id);
      // Figures that do not measure the API (raw twins, baselines) are the same in both.
      const selected = !figureIds || figureIds.includes(figure.id);
      if (twin && selected && twin.label === figure.label && !figure.id.startsWith('raw.')) {
        pairs.push({ after: figure, before: twin });
      }
    }
  }
  const samples = new Map<Figure, LoadResult[]>();
  const measure = async (figure: Figure, seconds: number) => {
    const result = await figure.measure(seconds);
    await sleep(SETTLE_MS);
    return result;
  };
  for (const { after, before: earlier } of pairs) {
    await measure(after, settings.warmupSeconds);
    await measure(earlier, settings.warmupSeconds);
  }
  for (let run = 1; run <= settings.runs; run++) {
    for (const pair of pairs) {
      // Alternate which build goes first, so neither always follows the other's backlog.
      const order = run % 2 === 1 ? [pair.after, pair.before] : [pair.before, pair.after];
      for (const figure of order) {
        const result = await measure(figure, settings.durationSeconds);
        samples.set(figure, [...(samples.get(figure) ?? []), result]);
      }
      const last = (figure: Figure) => samples.get(figure)?.at(-1)?.requestsPerSecond ?? 0;
      console.log(
        `  run ${run}/${settings.runs} ${pair.after.label.padEnd(44)} after ${last(pair.after).toFixed(0).padStart(6)}  before ${last(pair.before).toFixed(0).padStart(6)} req/s`,
      );
    }
  }
  console.log('\n| figure | after req/s | before req/s | after/before | p99 after / before ms |');
  console.log('|---|---:|---:|---:|---:|');
  for (const { after, before: earlier } of pairs) {
    const rate = (figure: Figure) =>
      Math.round(median((samples.get(figure) ?? []).map((r) => r.requestsPerSecond)));
    const p99 = (figure: Figure) => median((samples.get(figure) ?? []).map((r) => r.p99Ms));
    console.log(
      `| ${after.label} | ${rate(after)} | ${rate(earlier)} | ${(rate(after) / rate(earlier)).toFixed(2)}× | ${p99(after)} / ${p99(earlier)} |`,
    );
  }
} finally {
  for (const suite of started) await suite.stop?.();
  await environment.stop();
}
