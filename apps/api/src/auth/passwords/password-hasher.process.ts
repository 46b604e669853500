/**
 * The helper process of password-hasher.ts: lowers its own CPU priority before it creates
 * any thread, then answers hash/verify requests from its parent over IPC.
 */
import os from 'node:os';
import { loadArgon2, NativeModuleError } from './argon2-binding';
import { inlinePasswordHasher } from './passwords';

/**
 * Nice 19 (the lowest priority): the API's event loop and PostgreSQL (nice 0) get the CPU
 * first; hashing uses what they leave, which under login load is most of it.
 */
const HASHER_NICENESS = 19;

try {
  // Threads inherit the niceness of the thread that creates them: set it before libuv's
  // thread pool exists, so every hashing thread runs at this priority.
  os.setPriority(HASHER_NICENESS);
} catch {
  // Not permitted here (some containers): hashing still works, at normal priority.
}

interface Request {
  id: number;
  op: 'hash' | 'verify';
  password: string;
  hash?: string;
}

/**
 * The parent may be gone by the time a hash finishes (it is shutting down): then there is no
 * one to answer, and a failed send must not crash this process with an unhandled EPIPE.
 */
function reply(message: object): void {
  if (!process.connected || !process.send) return;
  process.send(message, (error: Error | null) => {
    if (error) process.exit(0);
  });
}

process.on('message', (message: Request) => {
  const work =
    message.op === 'hash'
      ? inlinePasswordHasher.hash(message.password)
      : inlinePasswordHasher.verify(message.hash ?? '', message.password);
  work.then(
    (result) => reply({ id: message.id, ok: true, result }),
    (error: unknown) => reply({ id: message.id, ok: false, error: String(error) }),
  );
});

process.on('disconnect', () => process.exit(0));

/** Exit status that tells the parent the binding, not a request, is what failed. */
const EXIT_NATIVE_LOAD_FAILED = 78;

// Ready only once argon2 loads: a broken binding is reported once, at start-up, as one line.
loadArgon2().then(
  () => reply({ ready: true }),
  (error: unknown) => {
    // The parent reports it, as one line; exit once the message is out.
    const reason = error instanceof NativeModuleError ? error.message : String(error);
    if (!process.connected || !process.send) process.exit(EXIT_NATIVE_LOAD_FAILED);
    process.send({ failed: reason }, () => process.exit(EXIT_NATIVE_LOAD_FAILED));
  },
);
