import { describe, expect, it, vi } from 'vitest';
import { createCaptureMailer } from '../../src/mail/mailer';
import {
  appLink,
  loginCodeMail,
  magicLinkMail,
  oauthWelcomeMail,
  passwordChangedMail,
  passwordResetMail,
  verifyEmailMail,
} from '../../src/mail/templates';

const APP_URL = 'https://app.example.com';

describe('mail templates', () => {
  const link = appLink(APP_URL, '/verify-email', 'abc.def');

  it.each([
    ['verify email', verifyEmailMail(link)],
    ['password reset', passwordResetMail(link)],
    ['login code', loginCodeMail('012345')],
    ['magic link', magicLinkMail(link)],
    ['password changed', passwordChangedMail(APP_URL)],
    ['new account via OAuth', oauthWelcomeMail('GitHub', APP_URL)],
  ])('renders %s as text and HTML with a subject', (_name, mail) => {
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.text.length).toBeGreaterThan(20);
    expect(mail.html).toMatch(/^<!doctype html>/);
  });

  it('points links at APP_URL with the token as a query parameter', () => {
    expect(appLink(APP_URL, '/reset-password', 'id.secret/+')).toBe(
      'https://app.example.com/reset-password?token=id.secret%2F%2B',
    );
    expect(magicLinkMail(link).html).toContain(
      'https://app.example.com/verify-email?token=abc.def',
    );
  });

  it('keeps secrets out of subjects', () => {
    expect(loginCodeMail('987654').subject).not.toContain('987654');
    expect(magicLinkMail(link).subject).not.toContain('abc.def');
  });

  it('escapes HTML in the values it inserts', () => {
    const mail = oauthWelcomeMail('<script>x</script>', APP_URL);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });
});

describe('the capture transport (dev without SMTP_URL)', () => {
  it('keeps the last messages and prints subject, links and codes in development', async () => {
    const print = vi.spyOn(console, 'log').mockImplementation(() => {});
    const mailer = createCaptureMailer({ print: true });

    await mailer.send({ to: 'a@example.test', ...magicLinkMail(link()) });
    await mailer.send({ to: 'a@example.test', ...loginCodeMail('424242') });

    expect(mailer.messages.map((m) => m.subject)).toEqual([
      'Sign in to Tollbooth',
      'Your Tollbooth sign-in code',
    ]);
    const printed = print.mock.calls.map((call) => String(call[0])).join('\n');
    expect(printed).toContain(link());
    expect(printed).toContain('424242');
    print.mockRestore();
  });

  it('keeps at most 20 messages', async () => {
    const mailer = createCaptureMailer({ print: false });
    for (let i = 0; i < 25; i++)
      await mailer.send({ to: `${i}@x.test`, ...loginCodeMail('000000') });

    expect(mailer.messages).toHaveLength(20);
    expect(mailer.messages[0]?.to).toBe('5@x.test');
  });
});

function link() {
  return appLink(APP_URL, '/magic-link', 'id.secret');
}
