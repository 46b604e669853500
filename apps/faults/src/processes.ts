/**
 * Real child processes the suite can kill: a Node entry (the built API, the worker, the Stripe
 * emulator) started with an exact environment, ready once a probe says so, stopped gently or
 * killed with SIGKILL (no handler runs, no connection is closed: a crash as the OS delivers
 * it), and started again with the same settings. The last few kilobytes of its output are kept
 * so a failing scenario can say what the process said before it went wrong.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** How much of a process's stdout and stderr a diagnosis keeps. */
const TAIL_BYTES = 8_192;
/** A start that is not ready by then has failed (cold start of the built API is ~1 s). */
const READY_TIMEOUT_MS = 30_000;
/** A SIGTERM not obeyed by then is followed by SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;

export interface ProcessSpec {
  name: string;
  /** Arguments to `node` (the entry and its flags). */
  args: string[];
  cwd: string;
  /** The whole environment, apart from PATH: nothing of the runner's own leaks in. */
  env: Record<string, string>;
  /** Resolves true once the started process serves; polled every 100 ms. */
  ready: (process: ManagedProcess) => Promise<boolean>;
}

export interface ManagedProcess {
  readonly name: string;
  readonly running: boolean;
  /** Everything recent the process wrote to stdout (a tail). */
  stdout(): string;
  /** The tail of stdout and stderr, for an assertion message. */
  diagnosis(): string;
  start(): Promise<void>;
  /** SIGKILL, then waits for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS. */
  stop(): Promise<void>;
}

function appendTail(tail: string, chunk: Buffer): string {
  const joined = tail + chunk.toString();
  return joined.length > TAIL_BYTES ? joined.slice(-TAIL_BYTES) : joined;
}

export function managedProcess(spec: ProcessSpec): ManagedProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stdoutTail = '';
  let stderrTail = '';
  let lastExit = '';

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const waitForExit = async (timeoutMs: number) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([exited.then(() => 'exited' as const), timeout]);
    clearTimeout(timer);
    return outcome;
  };

  const handle: ManagedProcess = {
    name: spec.name,
    get running() {
      return running();
    },
    stdout: () => stdoutTail,
    diagnosis: () =>
      `${spec.name}${lastExit ? ` (${lastExit})` : ''}\n--- stdout tail ---\n${stdoutTail}\n--- stderr tail ---\n${stderrTail}`,
    async start() {
      if (running()) throw new Error(`${spec.name} is already running`);
      stdoutTail = '';
      stderrTail = '';
      lastExit = '';
      const started = spawn(process.execPath, spec.args, {
        cwd: spec.cwd,
        env: { PATH: process.env.PATH ?? '', ...spec.env },
        // Both pipes are always drained into the tails: a full pipe would stall the process.
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      started.stdout?.on('data', (chunk: Buffer) => {
        stdoutTail = appendTail(stdoutTail, chunk);
      });
      started.stderr?.on('data', (chunk: Buffer) => {
        stderrTail = appendTail(stderrTail, chunk);
      });
      exited = new Promise((resolve) => {
        started.once('exit', (code, signal) => {
          lastExit = signal ? `killed by ${signal}` : `exited with ${code}`;
          resolve();
        });
      });
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (!running())
          throw new Error(`${spec.name} ended before it was ready: ${handle.diagnosis()}`);
        if (await spec.ready(handle).catch(() => false)) return;
        await sleep(100);
      }
      started.kill('SIGKILL');
      throw new Error(
        `${spec.name} was not ready within ${READY_TIMEOUT_MS} ms: ${handle.diagnosis()}`,
      );
    },
    async kill9() {
      if (!running()) return;
      child?.kill('SIGKILL');
      await waitForExit(STOP_TIMEOUT_MS);
    },
    async stop() {
      if (!running()) return;
      child?.kill('SIGTERM');
      if ((await waitForExit(STOP_TIMEOUT_MS)) === 'timeout') await handle.kill9();
    },
  };
  return handle;
}

/** A readiness probe: `url` answers 200. */
export function answers200(url: string): () => Promise<boolean> {
  return async () => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
}
