/**
 * admin.credits.grant: an admin credits an account, once per idempotency key, audited. A
 * replay of the key answers with the first grant; the same key for another amount or account
 * (or a key a debit used) is IDEMPOTENCY_KEY_REUSED.
 */

import type { AdminActor } from '../../api-keys/api-keys.service';
import { recordAuditEvent } from '../../audit/audit';
import { findUserById } from '../../auth/users.queries';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import type { TGrantInput } from '../credits.schemas';
import { type CreditResult, isUniqueViolation, replayOrConflict } from '../ledger/entry-view';
import { findEntryByKey } from '../ledger/ledger.queries';
import { postCredit } from '../ledger/post-credit';

export async function grantCredits(
  deps: Pick<Deps, 'db' | 'clock'>,
  admin: AdminActor,
  input: TGrantInput,
): Promise<CreditResult> {
  if (!(await findUserById(deps.db, input.userId))) {
    throw new AppError('USER_NOT_FOUND', 'No account with that userId', {
      fieldErrors: { userId: ['names no account'] },
    });
  }
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const posted = await postCredit(trx, {
        userId: input.userId,
        kind: 'grant',
        amount: input.amount,
        reason: input.reason,
        metadata: { grantedBy: admin.adminId },
        origin: { idempotencyKey: input.idempotencyKey },
        at: deps.clock.now(),
      });
      if (posted.created) {
        await recordAuditEvent(trx, {
          event: 'credits.granted',
          status: 'success',
          userId: admin.adminId,
          meta: admin.meta,
          metadata: {
            creditedUserId: input.userId,
            amount: input.amount,
            reason: input.reason,
            entryId: posted.result.entryId,
          },
        });
      }
      return posted.result;
    });
  } catch (error) {
    // The key was taken, for another account, by a transaction that committed meanwhile.
    if (!isUniqueViolation(error, 'credit_ledger_idempotency_key')) throw error;
    const earlier = await findEntryByKey(deps.db, input.idempotencyKey);
    if (!earlier) throw error;
    return replayOrConflict(earlier, { kind: 'grant', userId: input.userId, delta: input.amount });
  }
}
