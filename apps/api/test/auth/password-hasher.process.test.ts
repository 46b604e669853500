import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { createProcessPasswordHasher } from '../../src/auth/passwords/password-hasher';
import { checkPassword, passwordNeedsRehash } from '../../src/auth/passwords/passwords';
import { createLogger } from '../../src/lib/logger';
import { createTestApp } from '../harness';
import { failure, registerAccount } from '../support/accounts';

const logger = createLogger({ level: 'silent' });

describe('the password hasher helper process (PASSWORD_HASHER=process)', () => {
  it('hashes with argon2id and verifies, in a child process at lower CPU priority', async () => {
    const hasher = createProcessPasswordHasher(logger);
    try {
      const hash = await hasher.hash('helper passphrase');

      expect(hash).toMatch(/^\$argon2id\$/);
      expect(passwordNeedsRehash(hash)).toBe(false);
      expect(await hasher.verify(hash, 'helper passphrase')).toBe(true);
      expect(await hasher.verify(hash, 'another passphrase')).toBe(false);
      expect(await hasher.verify('not a hash', 'helper passphrase')).toBe(false);
      expect(await checkPassword(hasher, null, 'anything at all')).toBe(false);
      const pid = hasher.helperPid();
      expect(pid).not.toBe(process.pid);
      expect(os.getPriority(pid)).toBeGreaterThan(os.getPriority(process.pid));
    } finally {
      await hasher.close?.();
    }
  });

  it.each([
    [
      'one hash per core of the machine (at most 8) by default',
      undefined,
      Math.min(os.availableParallelism(), 8),
    ],
    ['PASSWORD_HASHER_THREADS hashes when configured', 3, 3],
  ])('runs %s', async (_name, threads, expected) => {
    const hasher = createProcessPasswordHasher(logger, { threads });
    try {
      await hasher.hash('pool size');
      // libuv sizes the helper's thread pool, where argon2 runs, from this variable.
      const environ = readFileSync(`/proc/${hasher.helperPid()}/environ`, 'utf8').split('\0');
      expect(environ).toContain(`UV_THREADPOOL_SIZE=${expected}`);
    } finally {
      await hasher.close?.();
    }
  });

  it('starts a new helper when the old one died', async () => {
    const hasher = createProcessPasswordHasher(logger);
    try {
      await hasher.hash('first');
      const first = hasher.helperPid();
      process.kill(first ?? 0, 'SIGKILL');
      // Wait for the exit to be noticed (event-driven, not a timed sleep).
      while (hasher.helperPid() === first) await new Promise((resolve) => setImmediate(resolve));

      expect(await hasher.verify(await hasher.hash('second'), 'second')).toBe(true);
      expect(hasher.helperPid()).not.toBe(first);
    } finally {
      await hasher.close?.();
    }
  });

  it('serves register and login through the API', async () => {
    const t = await createTestApp({ env: { PASSWORD_HASHER: 'process' } });
    const account = await registerAccount(t);

    await t.client().auth.login.mutate({ email: account.email, password: account.password });
    const wrong = await failure(
      t.client().auth.login.mutate({ email: account.email, password: 'wrong passphrase' }),
    );
    expect(wrong.appCode).toBe('INVALID_CREDENTIALS');
  });
});
