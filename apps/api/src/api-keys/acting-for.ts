/**
 * Whom a call acts for. A user's own token acts for that user and nobody else (a `userId`
 * naming someone else is refused, not ignored: it is a bug or an attack either way). A server
 * API key acts for the product, which names the user in the input; the account must exist
 * and be active.
 */
import type { Caller } from '../auth/account.service';
import { findUsersByIds } from '../auth/users.queries';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { FreshBatchLoader, loaderPerOwner } from '../lib/fresh-batch-loader';
import type { ApiKeyCaller } from './authenticate-api-key';

/** Server calls for many users at once read their accounts in one query, never stale. */
const users = loaderPerOwner(
  (db: Deps['db']) => new FreshBatchLoader((ids: string[]) => findUsersByIds(db, ids)),
);

export type Actor = { kind: 'user'; caller: Caller } | { kind: 'server'; apiKey: ApiKeyCaller };

export interface Subject {
  userId: string;
  actor: Actor;
}

export async function actingFor(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  userId: string | undefined,
): Promise<Subject> {
  if (actor.kind === 'user') {
    if (userId !== undefined && userId !== actor.caller.user.id) {
      throw new AppError('FORBIDDEN', 'A user acts only for their own account', {
        fieldErrors: {
          userId: ['must be your own id, or left out (only a server API key names other users)'],
        },
      });
    }
    return { userId: actor.caller.user.id, actor };
  }
  if (userId === undefined) {
    throw new AppError('VALIDATION_FAILED', 'A server API key acts for a user: name it', {
      fieldErrors: { userId: ['is required when calling with a server API key'] },
    });
  }
  const user = await users(deps.db).load(userId);
  if (!user) throw new AppError('USER_NOT_FOUND', 'No account with that userId');
  if (user.status !== 'active') {
    throw new AppError('ACCOUNT_DEACTIVATED', 'The account named by userId is deactivated');
  }
  return { userId: user.id, actor };
}
