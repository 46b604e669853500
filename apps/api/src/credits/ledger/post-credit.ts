/**
 * Crediting an account, exactly once per origin: the caller's idempotency key (admin grants)
 * or the outside object the credits come from (`sourceRef`: a Stripe checkout session for a
 * pack purchase, an invoice for a plan's monthly credits). Runs inside the caller's
 * transaction, so a webhook handler commits the Stripe event, its mirror rows and the credit
 * together, or none of them.
 *
 * Exactly once: the account's balance row is locked first; with it held no other change of
 * this account runs, and the check for an earlier entry of the same origin (a fresh READ
 * COMMITTED snapshot) sees every one that committed. One source always names one account,
 * so two deliveries of a Stripe event serialise on that lock and the second finds the first.
 * An idempotency key can be reused for another account, which that lock does not cover;
 * there the unique index refuses the second insert (the caller maps the unique violation).
 */
import type { CreditEntryKind, Database, Json } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import { AppError } from '../../errors/app-error';
import { type CreditResult, replayOrConflict, toResult } from './entry-view';
import {
  findEntryByKey,
  findEntryBySource,
  insertEntry,
  lockBalance,
  setBalance,
} from './ledger.queries';

/** The balance column is a 32-bit integer. */
export const MAX_BALANCE = 2_147_483_647;

export type CreditKind = Extract<CreditEntryKind, 'purchase' | 'plan_grant' | 'grant'>;

export type CreditOrigin = { idempotencyKey: string } | { sourceRef: string };

export interface CreditRequest {
  userId: string;
  kind: CreditKind;
  amount: number;
  reason: string | null;
  metadata: Json;
  origin: CreditOrigin;
  at: Date;
}

export interface PostedCredit {
  result: CreditResult;
  /** False when the origin had credited before: `result` is that first credit's. */
  created: boolean;
}

export async function postCredit(
  trx: Kysely<Database>,
  request: CreditRequest,
): Promise<PostedCredit> {
  const balance = await lockBalance(trx, request.userId);
  const { origin } = request;
  const earlier =
    'sourceRef' in origin
      ? await findEntryBySource(trx, { kind: request.kind, ref: origin.sourceRef })
      : await findEntryByKey(trx, origin.idempotencyKey);
  if (earlier) {
    const same = { kind: request.kind, userId: request.userId, delta: request.amount };
    return { result: replayOrConflict(earlier, same), created: false };
  }
  const balanceAfter = balance + request.amount;
  if (balanceAfter > MAX_BALANCE) {
    throw new AppError('VALIDATION_FAILED', 'The balance would exceed its maximum', {
      fieldErrors: { amount: [`would take the balance above ${MAX_BALANCE}`] },
    });
  }
  await setBalance(trx, { userId: request.userId, balance: balanceAfter, at: request.at });
  const entry = await insertEntry(trx, {
    userId: request.userId,
    kind: request.kind,
    delta: request.amount,
    balanceAfter,
    reason: request.reason,
    idempotencyKey: 'idempotencyKey' in origin ? origin.idempotencyKey : null,
    sourceRef: 'sourceRef' in origin ? origin.sourceRef : null,
    metadata: request.metadata,
    at: request.at,
  });
  return { result: toResult(entry), created: true };
}
