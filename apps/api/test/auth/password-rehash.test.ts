import { describe, expect, it } from 'vitest';
import { passwordNeedsRehash } from '../../src/auth/passwords/passwords';

const SALT_AND_HASH = 'c29tZXNhbHRzb21lc2FsdA$iAsoK5Gy8BJiFlobeIltUX+CxFLbPe1JgBCLgneuE04';

describe('passwordNeedsRehash (read from the PHC string, no native code)', () => {
  it.each([
    // argon2 0.45 writes the parameters as m, p, t.
    ['today’s parameters', `$argon2id$v=19$m=19456,p=1,t=2$${SALT_AND_HASH}`, false],
    [
      'today’s parameters in m, t, p order',
      `$argon2id$v=19$m=19456,t=2,p=1$${SALT_AND_HASH}`,
      false,
    ],
    ['less memory', `$argon2id$v=19$m=4096,p=1,t=2$${SALT_AND_HASH}`, true],
    ['fewer passes', `$argon2id$v=19$m=19456,p=1,t=1$${SALT_AND_HASH}`, true],
    ['more lanes', `$argon2id$v=19$m=19456,p=4,t=2$${SALT_AND_HASH}`, true],
    ['argon2i', `$argon2i$v=19$m=19456,p=1,t=2$${SALT_AND_HASH}`, true],
    ['an old version', `$argon2id$v=16$m=19456,p=1,t=2$${SALT_AND_HASH}`, true],
    ['a parameter missing', `$argon2id$v=19$m=19456,p=1$${SALT_AND_HASH}`, true],
    ['not a PHC string', 'bcrypt-or-garbage', true],
  ])('%s → %s', (_name, hash, expected) => {
    expect(passwordNeedsRehash(hash)).toBe(expected);
  });
});
