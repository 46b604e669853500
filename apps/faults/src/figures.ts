/**
 * The suite's figures: requests sent, faults injected, invariants checked. Each scenario file
 * counts its own and writes them, when it ends, into the run's directory (given by the global
 * setup); the global teardown adds them up and prints one line per scenario and the total.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Figures {
  requests: number;
  faults: number;
  invariants: number;
}

export function emptyFigures(): Figures {
  return { requests: 0, faults: 0, invariants: 0 };
}

export async function writeFigures(dir: string, scenario: string, figures: Figures) {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${scenario}.json`), JSON.stringify(figures));
}

export async function readAllFigures(dir: string): Promise<Array<{ scenario: string } & Figures>> {
  const names = await readdir(dir).catch(() => []);
  const all = [];
  for (const name of names.filter((file) => file.endsWith('.json')).sort()) {
    const figures: Figures = JSON.parse(await readFile(path.join(dir, name), 'utf8'));
    all.push({ scenario: name.replace(/\.json$/, ''), ...figures });
  }
  return all;
}

export function formatFigures(all: Array<{ scenario: string } & Figures>): string {
  const total = all.reduce(
    (sum, row) => ({
      requests: sum.requests + row.requests,
      faults: sum.faults + row.faults,
      invariants: sum.invariants + row.invariants,
    }),
    emptyFigures(),
  );
  const line = (name: string, f: Figures) =>
    `  ${name.padEnd(40)} ${String(f.requests).padStart(8)} requests ${String(f.faults).padStart(6)} faults ${String(f.invariants).padStart(6)} invariants`;
  return [
    'Fault suite figures:',
    ...all.map((row) => line(row.scenario, row)),
    line('total', total),
  ].join('\n');
}
