/**
 * What callers see of ledger entries. A debit's or grant's answer is computed from its stored
 * entry alone, so a replay of its idempotency key (after a lost response, a crash between
 * commit and answer, or from another server process) gets the very same answer.
 */
import type { CreditEntry, CreditEntryKind } from '@tollbooth/db';
import { AppError } from '../../errors/app-error';
import type { LedgerEntryKind } from '../credits.schemas';

/** JSON as stored in jsonb; spelled out here so the SDK's bundled types need no database package. */
export type EntryMetadata =
  | string
  | number
  | boolean
  | null
  | EntryMetadata[]
  | { [key: string]: EntryMetadata | undefined };

export interface CreditResult {
  entryId: string;
  userId: string;
  /** Credits moved by this entry, always positive (debits take them, grants add them). */
  amount: number;
  /** The balance right after this entry (not the balance now, for a replay). */
  balance: number;
  createdAt: Date;
}

export function toResult(entry: CreditEntry): CreditResult {
  return {
    entryId: String(entry.id),
    userId: entry.user_id,
    amount: Math.abs(entry.delta),
    balance: entry.balance_after,
    createdAt: entry.created_at,
  };
}

export interface LedgerEntryView {
  id: string;
  kind: LedgerEntryKind;
  /** Signed: positive for credits in, negative for debits. */
  delta: number;
  balanceAfter: number;
  reason: string | null;
  idempotencyKey: string | null;
  /** The outside object a credit came from (a Stripe checkout session, invoice, refund). */
  sourceRef: string | null;
  metadata: EntryMetadata;
  createdAt: Date;
}

export function toEntryView(entry: CreditEntry): LedgerEntryView {
  return {
    id: String(entry.id),
    kind: entry.kind,
    delta: entry.delta,
    balanceAfter: entry.balance_after,
    reason: entry.reason,
    idempotencyKey: entry.idempotency_key,
    sourceRef: entry.source_ref,
    metadata: entry.metadata,
    createdAt: entry.created_at,
  };
}

/**
 * The answer for a key that already has an entry: that entry's result if the request is the
 * same one (same kind, account and amount), else IDEMPOTENCY_KEY_REUSED.
 */
export function replayOrConflict(
  earlier: CreditEntry,
  request: { kind: CreditEntryKind; userId: string; delta: number },
  /** The input field that carried the key, for the field message. */
  keyField = 'idempotencyKey',
): CreditResult {
  if (
    earlier.kind !== request.kind ||
    earlier.user_id !== request.userId ||
    earlier.delta !== request.delta
  ) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was used for another request (another amount, account or kind)',
      { fieldErrors: { [keyField]: ['was used before for a different request'] } },
    );
  }
  return toResult(earlier);
}

/** pg's unique_violation on the named index (the entry that would have duplicated one). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    error.code === '23505' &&
    'constraint' in error &&
    error.constraint === constraint
  );
}
