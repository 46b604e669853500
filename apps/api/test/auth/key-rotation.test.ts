import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { generateJwks } from '../../src/auth/tokens/signing-keys';
import { createManualClock } from '../../src/lib/clock';
import { createTestApp } from '../harness';
import { registerAccount } from '../support/accounts';
import { readJwks } from '../support/http';

function keysOf(...sets: string[]): string {
  return JSON.stringify({ keys: sets.flatMap((set) => JSON.parse(set).keys) });
}

function kidOf(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid;
}

describe('signing key rotation (JWT_PRIVATE_KEYS)', () => {
  it('keeps tokens of the old key valid while a new key signs, and drops them once it is removed', async () => {
    const databaseUrl = await createTestDatabase();
    const clock = createManualClock();
    const oldKey = generateJwks();
    const newKey = generateJwks();
    const before = await createTestApp({ databaseUrl, clock, env: { JWT_PRIVATE_KEYS: oldKey } });
    const { accessToken: oldToken, email, password } = await registerAccount(before);

    // Deploy 1: the new key goes first; the old one stays to verify.
    const rotated = await createTestApp({
      databaseUrl,
      clock,
      env: { JWT_PRIVATE_KEYS: keysOf(newKey, oldKey) },
    });
    expect(await rotated.client({ accessToken: oldToken }).auth.me.query()).toMatchObject({
      email,
    });
    const { accessToken: newToken } = await rotated.client().auth.login.mutate({ email, password });
    expect(kidOf(newToken)).not.toBe(kidOf(oldToken));
    const jwks = await readJwks(await rotated.fetch('http://tollbooth.test/.well-known/jwks.json'));
    expect(jwks.keys.map((key) => key.kid)).toEqual([kidOf(newToken), kidOf(oldToken)]);

    // Deploy 2, after the old tokens expired: the old key is gone.
    const after = await createTestApp({ databaseUrl, clock, env: { JWT_PRIVATE_KEYS: newKey } });
    await after.client({ accessToken: newToken }).auth.me.query();
    const refused = await after.fetch('http://tollbooth.test/trpc/auth.me', {
      headers: { authorization: `Bearer ${oldToken}` },
    });
    expect(refused.status).toBe(401);
  });

  it('refuses a key set without private keys or with an unsupported key type', async () => {
    const { keyRingFromJwks } = await import('../../src/auth/tokens/signing-keys');
    const publicOnly = JSON.parse(generateJwks());
    delete publicOnly.keys[0].d;

    await expect(keyRingFromJwks(JSON.stringify(publicOnly))).rejects.toThrow(/private/);
    await expect(keyRingFromJwks('not json')).rejects.toThrow(/JWK set/);
    await expect(keyRingFromJwks('{"keys":[]}')).rejects.toThrow(/at least one key/);
  });
});
