/**
 * Random sequences of grants, debits and replays (the same key again, sometimes with another
 * amount) against the real API, checked against a model: the balance never goes below zero,
 * the ledger's sum is the balance, and each key has at most one effect, whose answer every
 * replay repeats.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/credits/verify/verify-ledger';
import { createTestApp } from '../harness';
import { failure } from '../support/accounts';
import { createKey, createUser, keyClient, ledgerState, signInAdmin } from './credits-testing';

const ACCOUNTS = 2;

type Op =
  | { type: 'grant' | 'debit'; account: number; amount: number }
  | { type: 'replay'; of: number; amountChange: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('grant' as const),
      account: fc.nat(ACCOUNTS - 1),
      amount: fc.integer({ min: 1, max: 20 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('debit' as const),
      account: fc.nat(ACCOUNTS - 1),
      amount: fc.integer({ min: 1, max: 15 }),
    }),
  },
  // amountChange 0: a true replay; otherwise the key comes back with another amount.
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('replay' as const),
      of: fc.nat(),
      amountChange: fc.constantFrom(0, 0, 0, 1),
    }),
  },
);

interface Sent {
  type: 'grant' | 'debit';
  account: number;
  amount: number;
  key: string;
}

describe('the credit ledger under random grants, debits and replays', () => {
  it('keeps balance >= 0, ledger sum = balance and one effect per key', async () => {
    const t = await createTestApp();
    const { client: admin } = await signInAdmin(t);
    const server = keyClient(t, (await createKey(admin)).key);

    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const users = await Promise.all(Array.from({ length: ACCOUNTS }, () => createUser(t)));
        const model = users.map(() => 0);
        const sent: Sent[] = [];
        /** Each key's one effect and its answer; a refused debit has none (it is not remembered). */
        const effects = new Map<string, { amount: number; answer: unknown }>();

        const send = async (request: Sent) => {
          const userId = users[request.account] ?? '';
          if (request.type === 'grant') {
            return admin.admin.credits.grant.mutate({
              userId,
              amount: request.amount,
              reason: 'property',
              idempotencyKey: request.key,
            });
          }
          return server.credits.debit.mutate({
            userId,
            amount: request.amount,
            idempotencyKey: request.key,
          });
        };

        for (const next of ops) {
          const request: Sent =
            next.type === 'replay'
              ? (() => {
                  const earlier = sent[next.of % Math.max(sent.length, 1)];
                  return earlier
                    ? { ...earlier, amount: earlier.amount + next.amountChange }
                    : { type: 'debit', account: 0, amount: 1, key: randomUUID() };
                })()
              : { type: next.type, account: next.account, amount: next.amount, key: randomUUID() };
          if (!sent.some((s) => s.key === request.key)) sent.push(request);
          const effect = effects.get(request.key);

          if (effect && effect.amount !== request.amount) {
            expect((await failure(send(request))).appCode).toBe('IDEMPOTENCY_KEY_REUSED');
          } else if (effect) {
            expect(await send(request)).toEqual(effect.answer);
          } else if (request.type === 'debit' && (model[request.account] ?? 0) < request.amount) {
            const error = await failure(send(request));
            expect(error).toMatchObject({
              appCode: 'INSUFFICIENT_CREDITS',
              data: { details: { balance: model[request.account], requested: request.amount } },
            });
          } else {
            const answer = await send(request);
            const delta = request.type === 'grant' ? request.amount : -request.amount;
            model[request.account] = (model[request.account] ?? 0) + delta;
            expect(answer).toMatchObject({
              amount: request.amount,
              balance: model[request.account],
            });
            effects.set(request.key, { amount: request.amount, answer });
          }
        }

        let entries = 0;
        for (const [index, userId] of users.entries()) {
          const state = await ledgerState(t, userId);
          expect(state.ledgerSum).toBe(state.balance ?? 0);
          expect(state.balance ?? 0).toBe(model[index]);
          expect(state.balance ?? 0).toBeGreaterThanOrEqual(0);
          entries += state.entries ?? 0;
        }
        expect(entries).toBe(effects.size);
      }),
      { numRuns: 100 },
    );
    expect((await verifyLedger(t.deps)).ok).toBe(true);
  });
});
