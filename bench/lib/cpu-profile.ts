/**
 * Reads a V8 .cpuprofile (`node --cpu-prof`) and sums self time by function and by where the
 * code lives (a package, a node: module, the API bundle, V8's own entries such as the GC).
 * Only samples inside the load window count, so start-up and warm-up do not blur the table.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimeRow {
  name: string;
  ms: number;
  /** Share of the process's busy time (idle excluded). */
  busyShare: number;
}

export interface ProfileSummary {
  windowMs: number;
  idleShare: number;
  byFunction: SelfTimeRow[];
  byPlace: SelfTimeRow[];
}

/** `…/node_modules/.pnpm/x@1/node_modules/@scope/name/…` → `@scope/name`. */
function place(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  if (url.startsWith('node:')) return url;
  const parts = url.split('/node_modules/');
  const last = parts.at(-1);
  if (parts.length > 1 && last) {
    const segments = last.split('/');
    return last.startsWith('@') ? `${segments[0]}/${segments[1]}` : (segments[0] ?? last);
  }
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? `api ${url.slice(dist + 1)}` : url;
}

function shortUrl(url: string): string {
  const parts = url.split('/node_modules/');
  return (parts.at(-1) ?? url).replace(/^file:\/\/.*\/apps\/api\//, '');
}

export async function summariseCpuProfile(
  path: string,
  options: { windowMs: number; top: number },
): Promise<ProfileSummary> {
  const profile: CpuProfile = JSON.parse(await readFile(path, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  // Sample i happened at startTime + sum of timeDeltas[0..i]; its weight is the next delta.
  const times: number[] = [];
  let at = profile.startTime;
  for (const delta of profile.timeDeltas) {
    at += delta;
    times.push(at);
  }
  const windowStart = profile.endTime - options.windowMs * 1000;
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let idleMicros = 0;
  let totalMicros = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const time = times[i] ?? 0;
    if (time < windowStart) continue;
    const weight = (times[i + 1] ?? profile.endTime) - time;
    const frame = nodes.get(profile.samples[i] ?? -1);
    if (!frame) continue;
    totalMicros += weight;
    if (frame.functionName === '(idle)') {
      idleMicros += weight;
      continue;
    }
    const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const fn = `${frame.functionName || '(anonymous)'}${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + weight);
    const home = place(frame.url, frame.functionName);
    byPlace.set(home, (byPlace.get(home) ?? 0) + weight);
  }
  const busy = totalMicros - idleMicros;
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, options.top)
      .map(([name, micros]) => ({ name, ms: Math.round(micros / 1000), busyShare: micros / busy }));
  return {
    windowMs: Math.round(totalMicros / 1000),
    idleShare: totalMicros > 0 ? idleMicros / totalMicros : 0,
    byFunction: rows(byFunction),
    byPlace: rows(byPlace),
  };
}

export function formatSelfTimeTable(title: string, rows: SelfTimeRow[]): string {
  const lines = [`| ${title} | self ms | % of busy |`, '|---|---:|---:|'];
  for (const row of rows) {
    lines.push(
      `| ${row.name.replaceAll('|', '\\|')} | ${row.ms} | ${(row.busyShare * 100).toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}
