/**
 * Loading argon2's native binding, once, with a failure that says what to do.
 *
 * argon2 is a C addon compiled at install time (node-gyp: python3, make, g++ and Node's
 * headers). When the binding is missing or broken, `import('argon2')` throws a long
 * node-gyp-build error, or — with an incompatible prebuilt binary — the process dies with a
 * signal. The API therefore never loads argon2 on its own thread at start-up in the default
 * configuration: the hasher helper process loads it (password-hasher.ts), and a helper that
 * dies before it is ready is reported as one line. In `inline` mode the load happens here.
 */

type Argon2 = typeof import('argon2');

/** A start-up failure that is fully described by its one-line message (no stack needed). */
export class NativeModuleError extends Error {
  override name = 'NativeModuleError';
}

export const ARGON2_REBUILD_HINT =
  'argon2 is compiled when dependencies are installed: install python3, make and g++, then run `pnpm rebuild argon2` (README, Prerequisites)';

let loading: Promise<Argon2> | undefined;

export function loadArgon2(): Promise<Argon2> {
  loading ??= import('argon2').then(
    (module) => module.default,
    (error: unknown) => {
      loading = undefined;
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      throw new NativeModuleError(
        `argon2's native module failed to load (${reason}); ${ARGON2_REBUILD_HINT}`,
      );
    },
  );
  return loading;
}
