/**
 * One directory per run where each scenario leaves its figures; the teardown prints them all
 * (requests, faults injected, invariants checked) before vitest's tally.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { formatFigures, readAllFigures } from '../src/figures';

declare module 'vitest' {
  export interface ProvidedContext {
    figuresDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tollbooth-faults-'));
  project.provide('figuresDir', dir);
  return async () => {
    console.log(formatFigures(await readAllFigures(dir)));
    await rm(dir, { recursive: true, force: true });
  };
}
