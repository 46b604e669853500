/**
 * argon2 off the API's CPU priority.
 *
 * On two cores, four libuv threads hashing at full load starve the event loop: /healthz p99
 * went from 1 ms to ~400 ms while logins ran flat out. A helper process whose threads run
 * at nice 19 does the hashing instead; the kernel then gives the event loop and PostgreSQL
 * the CPU whenever they want it, and hashing takes what is left. Login throughput stays
 * about the same (the same cores do the same work); only its priority changes.
 *
 * Passwords cross a local IPC pipe to our own child process, never the network. A dead
 * helper is restarted; its in-flight calls fail (the request answers 500, nothing leaks).
 */
import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../lib/logger';
import { ARGON2_REBUILD_HINT, NativeModuleError } from './argon2-binding';
import type { PasswordHasher } from './passwords';

/**
 * Concurrent hashes in the helper: one per core this process may run on keeps every core
 * busy when logins pile up, and more would only interleave the same work. At nice 19 the
 * threads take only what the event loop and PostgreSQL leave, so sizing them to the machine
 * costs the API nothing. Capped: each hash holds 19 MiB, and availableParallelism() counts
 * the host's cores, not a container's CPU quota (set PASSWORD_HASHER_THREADS there).
 */
const MAX_DEFAULT_HASHER_THREADS = 8;

export function defaultHasherThreads(): number {
  return Math.min(os.availableParallelism(), MAX_DEFAULT_HASHER_THREADS);
}

export interface HelperEntry {
  path: string;
  execArgv: string[];
}

function helperEntry(): HelperEntry {
  // From source (dev, tests) the helper is TypeScript run through tsx; bundled, it sits
  // beside the bundle as password-hasher-process.js (see tsup.config.ts).
  const fromSource = import.meta.url.endsWith('.ts');
  const url = fromSource
    ? new URL('./password-hasher.process.ts', import.meta.url)
    : new URL('./password-hasher-process.js', import.meta.url);
  return { path: fileURLToPath(url), execArgv: fromSource ? ['--import', 'tsx'] : [] };
}

interface Pending {
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

type Reply =
  | { id: number; ok: true; result: string | boolean }
  | { id: number; ok: false; error: string };

/** Replies, plus the helper's one start-up message: ready, or why argon2 failed to load. */
type HelperMessage = Reply | { ready: true } | { failed: string };

export interface ProcessPasswordHasher extends PasswordHasher {
  ready(): Promise<void>;
  /** The helper's process id, while it runs (for health checks and tests). */
  helperPid(): number | undefined;
}

/**
 * `entry` replaces the helper script (tests use it to simulate a helper that cannot load
 * argon2); everything else always runs the real one. `threads`: concurrent hashes
 * (PASSWORD_HASHER_THREADS), one per core by default.
 */
export function createProcessPasswordHasher(
  logger: Logger,
  options: { entry?: HelperEntry; threads?: number } = {},
): ProcessPasswordHasher {
  const threads = options.threads ?? defaultHasherThreads();
  let child: ChildProcess | undefined;
  let readiness: Promise<void> | undefined;
  let closed = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function start(): ChildProcess {
    const entry = options.entry ?? helperEntry();
    const started = fork(entry.path, [], {
      execArgv: entry.execArgv,
      env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    readiness = new Promise<void>((resolve, reject) => {
      let failure: string | undefined;
      started.on('message', (message: HelperMessage) => {
        if ('ready' in message) resolve();
        if ('failed' in message) failure = message.failed;
      });
      started.once('exit', (code, signal) =>
        reject(
          new NativeModuleError(
            failure ??
              `the password hasher helper exited before it was ready (${signal ?? `status ${code}`}): argon2's native module does not load on this machine; ${ARGON2_REBUILD_HINT}`,
          ),
        ),
      );
    });
    // Nobody may be waiting for readiness; its rejection is reported through ready() only.
    readiness.catch(() => {});
    started.on('message', (message: HelperMessage) => {
      if (!('id' in message)) return;
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (!waiter) return;
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`password hasher failed: ${message.error}`));
    });
    started.on('exit', (code, signal) => {
      if (child === started) child = undefined;
      for (const [id, waiter] of pending) {
        pending.delete(id);
        waiter.reject(new Error('password hasher exited'));
      }
      if (!closed) logger.warn({ code, signal }, 'password hasher exited; restarting on demand');
    });
    // The helper must not keep the API process alive on its own.
    started.unref();
    started.channel?.unref();
    return started;
  }

  function call(message: { op: 'hash' | 'verify'; password: string; hash?: string }) {
    if (closed) return Promise.reject(new Error('password hasher is closed'));
    child ??= start();
    const target = child;
    const id = nextId++;
    return new Promise<string | boolean>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // While calls are in flight the channel must keep the process alive to get answers.
      target.channel?.ref();
      target.send({ id, ...message }, (error) => {
        if (!error) return;
        pending.delete(id);
        reject(error);
      });
    }).finally(() => {
      if (pending.size === 0) target.channel?.unref();
    });
  }

  return {
    async hash(password) {
      const result = await call({ op: 'hash', password });
      if (typeof result !== 'string') throw new Error('password hasher answered no hash');
      return result;
    },
    async verify(hash, password) {
      return (await call({ op: 'verify', password, hash })) === true;
    },
    /** Starts the helper and waits until argon2 has loaded in it. */
    async ready() {
      if (closed) throw new Error('password hasher is closed');
      child ??= start();
      const target = child;
      // The helper is unref'd so it never keeps the API alive; while someone waits for it, it must.
      target.ref();
      target.channel?.ref();
      try {
        await readiness;
      } finally {
        target.unref();
        if (pending.size === 0) target.channel?.unref();
      }
    },
    helperPid: () => child?.pid,
    async close() {
      closed = true;
      const current = child;
      child = undefined;
      if (!current || current.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        current.once('exit', () => resolve());
        current.disconnect();
      });
    },
  };
}
