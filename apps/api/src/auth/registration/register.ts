import type { RequestMeta } from '../../audit/audit';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { enqueueJob } from '../../jobs/queue';
import { enforceRateLimits } from '../rate-limit/enforce';
import { ipSubject } from '../rate-limit/ip-subject';
import { type AuthResult, signIn } from '../sessions/sign-in';
import { insertUser } from '../users.queries';
import { registerVerifyFirst } from './verify-first';

export interface RegisterInput {
  email: string;
  password: string;
  name?: string | undefined;
}

/** Signed in at once (REGISTRATION_MODE=open), or told to follow the mailed link (verify-first). */
export type RegisterResult =
  | ({ verificationRequired: false } & AuthResult)
  | { verificationRequired: true };

/**
 * REGISTRATION_MODE=verify-first: see verify-first.ts. Otherwise (open, the default):
 * creates a password account and signs it in. The verification email is enqueued in the
 * same transaction: it goes out exactly when the account exists. The account starts as a
 * plain user even for an ADMIN_EMAILS address: registering proves nothing about the mailbox
 * (see verified-accounts.ts).
 */
export async function register(
  deps: Deps,
  input: RegisterInput,
  meta: RequestMeta,
): Promise<RegisterResult> {
  if (deps.config.registrationMode === 'verify-first') {
    return registerVerifyFirst(deps, input, meta);
  }
  await enforceRateLimits(deps, meta, [['register.ip', ipSubject(meta.ip)]]);
  const passwordHash = await deps.passwords.hash(input.password);
  return deps.db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, {
      email: input.email,
      name: input.name ?? null,
      password_hash: passwordHash,
    });
    if (!user) {
      throw new AppError('EMAIL_TAKEN', 'An account with this email already exists', {
        fieldErrors: { email: ['is already registered'] },
      });
    }
    await enqueueJob(trx, 'send_email_verification', { userId: user.id });
    const session = await signIn(trx, deps, {
      user,
      method: 'register',
      meta,
      event: 'auth.register',
    });
    return { verificationRequired: false, ...session };
  });
}
