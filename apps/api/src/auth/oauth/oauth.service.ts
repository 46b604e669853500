/**
 * Finishing an OAuth sign-in: find the account by provider id, or link one by a verified
 * email, or create one; then hand the browser a one-time exchange code (2 minutes, single
 * use, stored hashed) instead of tokens, so no token ever appears in a URL, a browser
 * history or a referrer. The SDK trades the code for tokens with auth.exchangeOAuthCode.
 */
import { type RequestMeta, recordAuditEvent } from '../../audit/audit';
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { enqueueJob } from '../../jobs/queue';
import { enforceRateLimits } from '../rate-limit/enforce';
import { ipSubject } from '../rate-limit/ip-subject';
import { issueToken, redeemTokenWithUser } from '../secrets/secrets.service';
import { type AuthResult, signIn } from '../sessions/sign-in';
import { findOAuthAccount, findUserById, linkOAuthAccount } from '../users.queries';
import { claimVerifiedMailbox, promoteListedAdmin } from '../verified-accounts';
import { verifierMatches } from './pkce';
import type { OAuthProfile, OAuthProvider } from './providers';

export async function completeOAuthSignIn(
  deps: Deps,
  args: {
    provider: OAuthProvider;
    profile: OAuthProfile;
    meta: RequestMeta;
    /** The app's challenge digest (pkce.ts): only its verifier redeems the code. */
    binding: Buffer;
  },
): Promise<{ exchangeCode: string }> {
  const { provider, profile, meta } = args;
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const linked = await findOAuthAccount(trx, provider.id, profile.providerAccountId);
    let user = linked ? await findUserById(trx, linked.user_id) : undefined;
    if (!user) {
      // Linking by email is safe only when the provider vouches for the address; otherwise
      // anyone could claim a victim's email at the provider and take over their account.
      if (!profile.email || !profile.emailVerified) {
        throw new AppError('OAUTH_FAILED', `${provider.label} gave no verified email address`);
      }
      const found = await claimVerifiedMailbox(trx, deps, {
        email: profile.email,
        name: profile.name,
        imageUrl: profile.imageUrl,
        via: 'oauth',
        meta,
      });
      user = found.user;
      await linkOAuthAccount(trx, {
        provider: provider.id,
        providerAccountId: profile.providerAccountId,
        userId: user.id,
      });
      await recordAuditEvent(trx, {
        event: 'auth.oauth_linked',
        status: 'success',
        userId: user.id,
        meta,
        metadata: { provider: provider.id, created: found.created },
      });
      if (found.created) {
        await enqueueJob(trx, 'send_oauth_welcome', { userId: user.id, provider: provider.label });
      }
    } else {
      // A linked account was verified when it was linked: ADMIN_EMAILS listed since applies.
      user = await promoteListedAdmin(trx, deps, { user, via: 'oauth', meta });
    }
    if (user.status !== 'active') {
      throw new AppError('ACCOUNT_DEACTIVATED', 'This account was deactivated');
    }
    const exchangeCode = await issueToken(trx, {
      purpose: 'oauth_exchange',
      email: user.email,
      userId: user.id,
      now,
      random: deps.random,
      binding: args.binding,
    });
    return { exchangeCode };
  });
}

/**
 * Trades an exchange code for tokens. The app must present the verifier whose challenge
 * started the flow (pkce.ts); without it, or with another flow's, the code is refused and
 * stays consumed (the transaction commits the burn, then we answer), so a code planted in
 * someone else's app dies at its first use.
 */
export async function exchangeOAuthCode(
  deps: Deps,
  input: { code: string; verifier?: string | undefined },
  meta: RequestMeta,
): Promise<AuthResult> {
  await enforceRateLimits(deps, meta, [['code.ip', ipSubject(meta.ip)]]);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    // One statement redeems the code and reads (and locks) its account.
    const { secret, user } = await redeemTokenWithUser(trx, {
      purpose: 'oauth_exchange',
      token: input.code,
      now: deps.clock.now(),
    });
    if (!verifierMatches(input.verifier, secret.binding_hash)) {
      await recordAuditEvent(trx, {
        event: 'auth.oauth_exchange_refused',
        status: 'failure',
        userId: user.id,
        meta,
        metadata: {
          reason: input.verifier === undefined ? 'verifier_missing' : 'verifier_mismatch',
        },
      });
      return null;
    }
    if (user.status !== 'active') throw invalidExchangeCode();
    return signIn(trx, deps, { user, method: 'oauth', meta });
  });
  if (!outcome) throw invalidExchangeCode();
  return outcome;
}

/** One answer for unknown, used and unbound codes: a guesser learns nothing from it. */
function invalidExchangeCode(): AppError {
  return new AppError('INVALID_TOKEN', 'This sign-in code is invalid or was already used');
}
