/**
 * The auth mails, as the worker sends them. Each job names a recipient (an account id, or an
 * address that may or may not have an account); this module finds the account, decides
 * whether anything should go out, creates the secret at send time (so no secret ever sits in
 * the queue table) and renders and sends the mail. A retried job issues a fresh secret and
 * retires the unsent one.
 */
import type { User } from '@tollbooth/db';
import type { Deps } from '../../deps';
import { normalizeEmail } from '../../lib/email';
import {
  APP_LINK_PATHS,
  addressed,
  appLink,
  loginCodeMail,
  magicLinkMail,
  oauthWelcomeMail,
  passwordChangedMail,
  passwordResetMail,
  type Rendered,
  registrationAttemptMail,
  registrationLinkMail,
  unverifiedPasswordRemovedMail,
  verifyEmailMail,
} from '../../mail/templates';
import { issueRegistrationLink } from '../registration/verify-first';
import { issueLoginCode, issueToken } from '../secrets/secrets.service';
import { findUserByEmail, findUserById } from '../users.queries';

export type AuthMailDeps = Pick<
  Deps,
  'db' | 'mailer' | 'clock' | 'random' | 'config' | 'serverKeys'
>;

/** Who a mail is for: an account by id, or an address (the account may not exist). */
export type Recipient = { userId: string } | { email: string };

/** Every auth mail and what it needs beyond its recipient. */
export type AuthMail =
  | { kind: 'email_verification' }
  | { kind: 'password_reset' }
  | { kind: 'login_code' }
  | { kind: 'magic_link' }
  | { kind: 'password_changed' }
  | { kind: 'oauth_welcome'; provider: string }
  | { kind: 'unverified_password_removed' }
  | { kind: 'registration_link'; registrationId: string }
  | { kind: 'registration_attempt' };

interface MailPlan {
  /** Who may receive it: an address without an account gets only passwordless sign-in mail. */
  sendsTo(user: User | undefined): boolean;
  /** Null: nothing to send after all (the secret it needed is gone). */
  render(deps: AuthMailDeps, address: string, user: User | undefined): Promise<Rendered | null>;
}

/** A link mail: a fresh token of `purpose`, issued in its own transaction, in a link. */
function linkMail(
  purpose: 'email_verification' | 'password_reset' | 'magic_link',
  path: string,
  template: (link: string) => Rendered,
) {
  return async (deps: AuthMailDeps, address: string, user: User | undefined) => {
    const token = await deps.db.transaction().execute((trx) =>
      issueToken(trx, {
        purpose,
        email: address,
        userId: user?.id ?? null,
        now: deps.clock.now(),
        random: deps.random,
      }),
    );
    return template(appLink(deps.config.appUrl, path, token));
  };
}

const active = (user: User | undefined) => user?.status === 'active';
/** Passwordless sign-in also creates accounts: unknown addresses get it, deactivated don't. */
const activeOrNew = (user: User | undefined) => !user || user.status === 'active';

function planFor(mail: AuthMail): MailPlan {
  switch (mail.kind) {
    case 'email_verification':
      // Verified meanwhile, or gone: nothing to send.
      return {
        sendsTo: (user) => active(user) && !user?.email_verified_at,
        render: linkMail('email_verification', APP_LINK_PATHS.verifyEmail, verifyEmailMail),
      };
    case 'password_reset':
      // Unknown or deactivated: send nothing. The API answered the same either way.
      return {
        sendsTo: active,
        render: linkMail('password_reset', APP_LINK_PATHS.resetPassword, passwordResetMail),
      };
    case 'magic_link':
      return {
        sendsTo: activeOrNew,
        render: linkMail('magic_link', APP_LINK_PATHS.magicLink, magicLinkMail),
      };
    case 'login_code':
      return {
        sendsTo: activeOrNew,
        async render(deps, address, user) {
          const code = await deps.db.transaction().execute((trx) =>
            issueLoginCode(trx, {
              email: address,
              userId: user?.id ?? null,
              now: deps.clock.now(),
              random: deps.random,
              key: deps.serverKeys.loginCode,
            }),
          );
          return loginCodeMail(code);
        },
      };
    case 'password_changed':
      return {
        sendsTo: (user) => user !== undefined,
        render: async (deps) => passwordChangedMail(deps.config.appUrl),
      };
    case 'oauth_welcome':
      return {
        sendsTo: (user) => user !== undefined,
        render: async (deps) => oauthWelcomeMail(mail.provider, deps.config.appUrl),
      };
    case 'registration_link':
      // verify-first: only while the address has no account (one made meanwhile by a code
      // or OAuth would refuse the link anyway).
      return {
        sendsTo: (user) => user === undefined,
        async render(deps, address) {
          const token = await issueRegistrationLink(deps.db, {
            registrationId: mail.registrationId,
            email: address,
            random: deps.random,
            now: deps.clock.now(),
          });
          return token
            ? registrationLinkMail(appLink(deps.config.appUrl, APP_LINK_PATHS.verifyEmail, token))
            : null;
        },
      };
    case 'registration_attempt':
      return {
        sendsTo: (user) => user !== undefined,
        render: async (deps) => registrationAttemptMail(deps.config.appUrl),
      };
    case 'unverified_password_removed':
      return {
        sendsTo: (user) => user !== undefined,
        render: async (deps) => unverifiedPasswordRemovedMail(deps.config.appUrl),
      };
  }
}

/** Sends one auth mail to its recipient, or nothing when the recipient should not get it. */
export async function sendAuthMail(
  deps: AuthMailDeps,
  recipient: Recipient,
  mail: AuthMail,
): Promise<void> {
  const user =
    'userId' in recipient
      ? await findUserById(deps.db, recipient.userId)
      : await findUserByEmail(deps.db, recipient.email);
  const plan = planFor(mail);
  if (!plan.sendsTo(user)) return;
  const address = user?.email ?? ('email' in recipient ? normalizeEmail(recipient.email) : null);
  if (!address) return;
  const rendered = await plan.render(deps, address, user);
  if (rendered) await deps.mailer.send(addressed(address, rendered));
}
