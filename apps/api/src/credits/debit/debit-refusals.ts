/** The refusals of a debit, worded once for the single and the grouped path. */
import { AppError } from '../../errors/app-error';

export function insufficientCredits(balance: number, requested: number): AppError {
  return new AppError(
    'INSUFFICIENT_CREDITS',
    `The balance (${balance}) is less than the ${requested} credits asked for`,
    { details: { balance, requested } },
  );
}

export function keyHeldByUsageRecord(keyField = 'idempotencyKey'): AppError {
  return new AppError(
    'IDEMPOTENCY_KEY_REUSED',
    'This idempotency key was used for a usage record',
    {
      fieldErrors: { [keyField]: ['was already used for a usage record'] },
    },
  );
}
