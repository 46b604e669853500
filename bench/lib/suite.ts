/**
 * What a bench suite is: figures measured interleaved with every other suite's (so a baseline
 * and its subject see the same machine), the ratios between them, and optional work after the
 * runs (a measurement of its own shape, an invariant check) whose result is printed and stored.
 * Suites live in bench/suites/ and are listed in bench/suites/index.ts.
 */

import { CONNECTIONS, type LoadResult, type RequestSpec, runLoad } from './load';
import type { ServerProcess } from './processes';

export interface Figure {
  id: string;
  label: string;
  /** An absolute target in requests per second, when PERFORMANCE.md sets one. */
  target?: number;
  /** One run of the figure for `seconds`; throws when any request failed. */
  measure(seconds: number): Promise<LoadResult>;
}

export interface Ratio {
  label: string;
  numerator: string;
  denominator: string;
  /** The target from PERFORMANCE.md or the issue, when one is set. */
  target?: number;
}

export interface BenchSettings {
  durationSeconds: number;
  runs: number;
  warmupSeconds: number;
}

export interface BenchContext {
  repoRoot: string;
  settings: BenchSettings;
  databaseUrl: string;
  /** The built API (apps/api/dist/server.js) every suite shares. */
  api: ServerProcess;
  /** The raw Hono baseline (bench/baseline-server.ts). */
  baseline: ServerProcess;
  emulator: ServerProcess & {
    secretKey: string;
    createCustomer(): Promise<Record<string, unknown>>;
  };
  webhookSecret: string;
  /** Another API process on the same database and settings (for two-process figures). */
  startApi(name: string, extraEnv?: Record<string, string>): Promise<ServerProcess>;
}

export interface Suite {
  figures: Figure[];
  ratios: Ratio[];
  /** After every interleaved run: returns entries merged into bench/results/latest.json. */
  after?(): Promise<Record<string, unknown>>;
  /** Stops what the suite started itself. */
  stop?(): Promise<void>;
}

export interface SuiteDefinition {
  /** Selects the suite in BENCH_ONLY (comma-separated names). */
  name: string;
  setup(context: BenchContext): Promise<Suite>;
}

/** A figure that is an autocannon load of one request shape against one server. */
export function httpFigure(
  id: string,
  label: string,
  baseUrl: string,
  request: RequestSpec,
  options: { connections?: number; target?: number } = {},
): Figure {
  const connections = options.connections ?? CONNECTIONS;
  return {
    id,
    label,
    target: options.target,
    measure: (seconds) => runLoad(baseUrl, request, seconds, connections),
  };
}
