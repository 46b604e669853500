/**
 * Passwordless sign-in: a 6-digit code or a magic link sent to the address. Either proves
 * the caller reads that mailbox, so it signs in the account of that address — or creates it
 * (verified, without a password) when there is none yet. Requests answer the same for known
 * and unknown addresses; see one-time-secrets.ts for lifetimes and attempt limits.
 */
import { type RequestMeta, recordAuditEvent } from '../audit/audit';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import { enqueueJob } from '../jobs/queue';
import { normalizeEmail } from '../lib/email';
import { emailSubject } from './rate-limit/email-subject';
import { enforceRateLimits, mailRateLimits } from './rate-limit/enforce';
import { ipSubject } from './rate-limit/ip-subject';
import { checkLoginCode, redeemToken } from './secrets/secrets.service';
import { type AuthResult, signIn } from './sessions/sign-in';
import { claimVerifiedMailbox } from './verified-accounts';

type Delivery = 'send_login_code' | 'send_magic_link';

async function requestDelivery(
  deps: Deps,
  job: Delivery,
  email: string,
  meta: RequestMeta,
): Promise<{ accepted: true }> {
  await enforceRateLimits(deps, meta, mailRateLimits(meta, email));
  await enqueueJob(deps.db, job, { email: normalizeEmail(email) });
  return { accepted: true };
}

export function requestLoginCode(deps: Deps, input: { email: string }, meta: RequestMeta) {
  return requestDelivery(deps, 'send_login_code', input.email, meta);
}

export function requestMagicLink(deps: Deps, input: { email: string }, meta: RequestMeta) {
  return requestDelivery(deps, 'send_magic_link', input.email, meta);
}

async function signInByEmail(
  deps: Deps,
  trx: Deps['db'],
  args: { email: string; method: 'code' | 'magic_link'; meta: RequestMeta },
): Promise<AuthResult> {
  const { user, created } = await claimVerifiedMailbox(trx, deps, {
    email: args.email,
    via: args.method === 'code' ? 'login_code' : 'magic_link',
    meta: args.meta,
  });
  if (user.status !== 'active') {
    throw new AppError('ACCOUNT_DEACTIVATED', 'This account was deactivated');
  }
  return signIn(trx, deps, {
    user,
    method: args.method,
    meta: args.meta,
    event: created ? 'auth.register' : 'auth.login',
  });
}

export async function loginWithCode(
  deps: Deps,
  input: { email: string; code: string },
  meta: RequestMeta,
): Promise<AuthResult> {
  await enforceRateLimits(deps, meta, [
    ['code.ip', ipSubject(meta.ip)],
    ['code.account', emailSubject(input.email)],
  ]);
  const email = normalizeEmail(input.email);
  // A wrong guess must be counted even though the call fails: check in one transaction,
  // commit, and only then report the failure.
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const check = await checkLoginCode(trx, {
      email,
      code: input.code,
      now: deps.clock.now(),
      key: deps.serverKeys.loginCode,
    });
    if (!check.ok) return null;
    return signInByEmail(deps, trx, { email, method: 'code', meta });
  });
  if (outcome) return outcome;
  await recordAuditEvent(deps.db, {
    event: 'auth.login_code_failed',
    status: 'failure',
    meta,
    metadata: { email },
  });
  throw new AppError('INVALID_CODE', 'The code is wrong or has expired; request a new one');
}

export async function loginWithMagicLink(
  deps: Deps,
  input: { token: string },
  meta: RequestMeta,
): Promise<AuthResult> {
  await enforceRateLimits(deps, meta, [['code.ip', ipSubject(meta.ip)]]);
  return deps.db.transaction().execute(async (trx) => {
    const secret = await redeemToken(trx, {
      purpose: 'magic_link',
      token: input.token,
      now: deps.clock.now(),
    });
    return signInByEmail(deps, trx, { email: secret.email, method: 'magic_link', meta });
  });
}
