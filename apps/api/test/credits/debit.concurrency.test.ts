/**
 * Many debits of one account at once, from two app instances on one database (two
 * connection pools: as two server processes would be). The fault-suite issue runs the same
 * against real processes at 10,000 debits; this is its small in-process sibling.
 */
import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/credits/verify/verify-ledger';
import { createTestApp } from '../harness';
import {
  createKey,
  createUser,
  grant,
  keyClient,
  ledgerState,
  signInAdmin,
} from './credits-testing';

const HELD = 100;
const DEBITS = 200;

type Outcome = { ok: true; entryId: string; balance: number } | { ok: false; appCode: unknown };

describe('concurrent debits of one account', () => {
  it(`lets exactly ${HELD} of ${DEBITS} debits of 1 (each sent twice, to both instances) succeed, with every replay answering as its first`, async () => {
    const databaseUrl = await createTestDatabase();
    const env = { DATABASE_POOL_MAX: '8' };
    const one = await createTestApp({ databaseUrl, env });
    const two = await createTestApp({ databaseUrl, env });
    const { client: admin } = await signInAdmin(one);
    const userId = await createUser(one);
    await grant(admin, userId, HELD);
    const { key } = await createKey(admin);
    const clients = [keyClient(one, key), keyClient(two, key)] as const;

    const debit = async (instance: 0 | 1, idempotencyKey: string): Promise<Outcome> => {
      try {
        const result = await clients[instance].credits.debit.mutate({
          userId,
          amount: 1,
          idempotencyKey,
        });
        return { ok: true, entryId: result.entryId, balance: result.balance };
      } catch (error) {
        const data = typeof error === 'object' && error && 'data' in error ? error.data : undefined;
        return {
          ok: false,
          appCode: typeof data === 'object' && data && 'appCode' in data ? data.appCode : error,
        };
      }
    };
    const keys = Array.from({ length: DEBITS }, (_, i) => `concurrent-${i}`);
    const pairs = await Promise.all(
      keys.map(async (idempotencyKey, i) => {
        const first: 0 | 1 = i % 2 === 0 ? 0 : 1;
        return Promise.all([
          debit(first, idempotencyKey),
          debit(first === 0 ? 1 : 0, idempotencyKey),
        ]);
      }),
    );

    const succeeded = pairs.filter(([a, b]) => a.ok || b.ok);
    expect(succeeded).toHaveLength(HELD);
    for (const [a, b] of pairs) {
      // Both sends of a key tell the same story: the same entry, or both refused for want of credits.
      if (a.ok || b.ok) expect(a).toEqual(b);
      else expect([a.appCode, b.appCode]).toEqual(['INSUFFICIENT_CREDITS', 'INSUFFICIENT_CREDITS']);
    }
    const balancesSeen = succeeded.map(([a]) => (a.ok ? a.balance : -1)).sort((x, y) => x - y);
    expect(balancesSeen).toEqual(Array.from({ length: HELD }, (_, i) => i));
    expect(await ledgerState(one, userId)).toEqual({ balance: 0, ledgerSum: 0, entries: HELD + 1 });
    expect((await verifyLedger(one.deps)).ok).toBe(true);
  });
});
