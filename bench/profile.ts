/**
 * `pnpm bench:profile <figure id>` (e.g. auth.me, system.info): the bench environment with the
 * API under `node --cpu-prof`, one figure's load for BENCH_DURATION seconds (12 by default)
 * after the warm-up, then the profile's self time by function and by place, top 30, as
 * Markdown tables. The .cpuprofile stays in bench/results/profiles/ for a flame graph
 * (Chrome DevTools or speedscope open it).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSelfTimeTable, summariseCpuProfile } from './lib/cpu-profile';
import { startBenchEnvironment } from './lib/environment';
import type { BenchSettings, Suite } from './lib/suite';
import { suites } from './suites/index';

const figureId = process.argv[2];
if (!figureId) throw new Error('usage: pnpm bench:profile <figure id>, e.g. auth.me');
const settings: BenchSettings = {
  durationSeconds: Number(process.env.BENCH_DURATION ?? 12),
  runs: 1,
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3),
};
const TOP = 30;
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const profileDir = fileURLToPath(new URL(`./results/profiles/${figureId}/`, import.meta.url));

await rm(profileDir, { recursive: true, force: true });
await mkdir(profileDir, { recursive: true });
const environment = await startBenchEnvironment({
  repoRoot,
  settings,
  apiNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
});
const started: Suite[] = [];
let measured: Awaited<ReturnType<Suite['figures'][number]['measure']>> | undefined;
try {
  for (const definition of suites) started.push(await definition.setup(environment.context));
  const figure = started.flatMap((suite) => suite.figures).find((one) => one.id === figureId);
  if (!figure) throw new Error(`no figure with id ${figureId}`);
  await figure.measure(settings.warmupSeconds);
  measured = await figure.measure(settings.durationSeconds);
} finally {
  for (const suite of started) await suite.stop?.();
  // The API writes its profile as it exits.
  await environment.stop();
}

const [file] = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error(`the API wrote no profile into ${profileDir}`);
const summary = await summariseCpuProfile(join(profileDir, file), {
  windowMs: settings.durationSeconds * 1000,
  top: TOP,
});
console.log(
  `\n${figureId}: ${measured?.requestsPerSecond.toFixed(0)} req/s, p99 ${measured?.p99Ms} ms under --cpu-prof; API idle ${(summary.idleShare * 100).toFixed(0)}% of the last ${summary.windowMs} ms\n`,
);
console.log(formatSelfTimeTable('place', summary.byPlace));
console.log('');
console.log(formatSelfTimeTable('function', summary.byFunction));
console.log(`\nprofile: ${join(profileDir, file)}`);
