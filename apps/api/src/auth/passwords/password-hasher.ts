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
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../lib/logger';
import type { PasswordHasher } from './passwords';

/** Concurrent hashes in the helper: one per core keeps the cores busy without thrashing. */
const HASHER_THREADS = 2;

function helperEntry(): { path: string; execArgv: string[] } {
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

export interface ProcessPasswordHasher extends PasswordHasher {
  /** The helper's process id, while it runs (for health checks and tests). */
  helperPid(): number | undefined;
}

export function createProcessPasswordHasher(logger: Logger): ProcessPasswordHasher {
  let child: ChildProcess | undefined;
  let closed = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function start(): ChildProcess {
    const entry = helperEntry();
    const started = fork(entry.path, [], {
      execArgv: entry.execArgv,
      env: { ...process.env, UV_THREADPOOL_SIZE: String(HASHER_THREADS) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    started.on('message', (message: Reply | { ready: true }) => {
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
