/**
 * The emails the auth flows send, each as text and HTML. Links point at APP_URL (the
 * frontend), which reads the token from the query string and calls the API: the API never
 * serves pages. Secrets appear only in the link or code itself, never in the subject, so
 * they do not show in notification previews or mail logs.
 */
import type { MailMessage } from './mailer';

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

/** Frontend paths that receive the links; the example app implements each. */
export const APP_LINK_PATHS = {
  verifyEmail: '/verify-email',
  resetPassword: '/reset-password',
  magicLink: '/magic-link',
} as const;

const PRODUCT = 'Tollbooth';

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function appLink(appUrl: string, pathName: string, token: string): string {
  const url = new URL(pathName, `${appUrl}/`);
  url.searchParams.set('token', token);
  return url.toString();
}

/** The HTML every mail shares (billing/mail renders its mails with it too). */
export function layout(
  title: string,
  paragraphs: string[],
  action?: { label: string; url: string },
) {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const button = action
    ? `<p><a href="${escapeHtml(action.url)}" style="display:inline-block;padding:10px 16px;background:#111;color:#fff;text-decoration:none;border-radius:6px">${escapeHtml(action.label)}</a></p>\n<p style="color:#666;font-size:12px">Or paste this link into your browser: ${escapeHtml(action.url)}</p>`
    : '';
  return `<!doctype html>\n<html><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:560px">\n<h1 style="font-size:20px">${escapeHtml(title)}</h1>\n${body}\n${button}\n</body></html>`;
}

export function text(paragraphs: string[], link?: string): string {
  return [...paragraphs, ...(link ? [link] : [])].join('\n\n');
}

export function verifyEmailMail(link: string): Rendered {
  const lines = [
    `Confirm your email address for ${PRODUCT} by opening the link below.`,
    'The link works once and expires in 24 hours. If you did not sign up, ignore this email.',
  ];
  return {
    subject: `Confirm your ${PRODUCT} email address`,
    text: text(lines, link),
    html: layout('Confirm your email address', lines, { label: 'Confirm email', url: link }),
  };
}

export function passwordResetMail(link: string): Rendered {
  const lines = [
    `Someone asked to reset the password of your ${PRODUCT} account.`,
    'The link works once and expires in 30 minutes. If it was not you, ignore this email: your password stays as it is.',
  ];
  return {
    subject: `Reset your ${PRODUCT} password`,
    text: text(lines, link),
    html: layout('Reset your password', lines, { label: 'Choose a new password', url: link }),
  };
}

export function loginCodeMail(code: string): Rendered {
  const lines = [
    `Your ${PRODUCT} sign-in code is ${code}`,
    'It expires in 10 minutes. If you did not try to sign in, ignore this email.',
  ];
  return {
    subject: `Your ${PRODUCT} sign-in code`,
    text: text(lines),
    html: layout('Your sign-in code', lines),
  };
}

export function magicLinkMail(link: string): Rendered {
  const lines = [
    `Open the link below to sign in to ${PRODUCT}.`,
    'It works once and expires in 10 minutes. If you did not try to sign in, ignore this email.',
  ];
  return {
    subject: `Sign in to ${PRODUCT}`,
    text: text(lines, link),
    html: layout(`Sign in to ${PRODUCT}`, lines, { label: 'Sign in', url: link }),
  };
}

export function passwordChangedMail(appUrl: string): Rendered {
  const lines = [
    `The password of your ${PRODUCT} account was just changed, and every other session was signed out.`,
    `If this was not you, reset your password at ${appUrl}${APP_LINK_PATHS.resetPassword} right away.`,
  ];
  return {
    subject: `Your ${PRODUCT} password was changed`,
    text: text(lines),
    html: layout('Your password was changed', lines),
  };
}

export function oauthWelcomeMail(provider: string, appUrl: string): Rendered {
  const lines = [
    `A ${PRODUCT} account was created for this email address by signing in with ${provider}.`,
    `Sign in any time at ${appUrl}. If this was not you, reply to this email.`,
  ];
  return {
    subject: `Welcome to ${PRODUCT}`,
    text: text(lines),
    html: layout(`Welcome to ${PRODUCT}`, lines),
  };
}

/** A mailbox proof claimed an account whose password was set before the address was verified. */
export function unverifiedPasswordRemovedMail(appUrl: string): Rendered {
  const lines = [
    `Your ${PRODUCT} account had a password that was set before this address was confirmed. Anyone can type any address when signing up, so we could not know who chose it.`,
    'You have just proven that this mailbox is yours, so we removed that password and signed out every session that existed before.',
    `Sign in with a code or link sent to this address, or choose a new password at ${appUrl}${APP_LINK_PATHS.resetPassword}. If you set that password yourself, simply choose it again there.`,
  ];
  return {
    subject: `A password was removed from your ${PRODUCT} account`,
    text: text(lines),
    html: layout('A password was removed from your account', lines),
  };
}

/** verify-first: the link that creates the account; until it is opened there is none. */
export function registrationLinkMail(link: string): Rendered {
  const lines = [
    `Open the link below to finish creating your ${PRODUCT} account with this email address. It asks for the password you chose when signing up, and sets it.`,
    'The link works once and expires in 24 hours. If you did not sign up, ignore this email: no account is created, and without that password nobody can create one from this link.',
  ];
  return {
    subject: `Confirm your ${PRODUCT} email address`,
    text: text(lines, link),
    html: layout('Confirm your email address', lines, { label: 'Create my account', url: link }),
  };
}

/** verify-first: someone registered an address that already has an account. */
export function registrationAttemptMail(appUrl: string): Rendered {
  const lines = [
    `Someone just tried to create a ${PRODUCT} account with this email address. It already has an account, so nothing was created and nothing changed.`,
    `If it was you, sign in at ${appUrl}, or choose a new password at ${appUrl}${APP_LINK_PATHS.resetPassword} if you forgot it. If it was not you, ignore this email.`,
  ];
  return {
    subject: `Someone tried to register with your ${PRODUCT} address`,
    text: text(lines),
    html: layout('Someone tried to register with your address', lines),
  };
}

export function addressed(to: string, rendered: Rendered): MailMessage {
  return { to, ...rendered };
}
