/**
 * A real SMTP server for tests (smtp-server), receiving what the mailer sends over the wire
 * and parsing it (mailparser), so tests read links and codes from actual messages.
 */
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll } from 'vitest';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtp {
  url: string;
  messages: ReceivedMail[];
  /** Messages to one address, oldest first. */
  to(address: string): ReceivedMail[];
  /** The newest message to an address; fails the test when there is none. */
  latest(address: string): ReceivedMail;
}

function addressOf(mail: ParsedMail): string {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address?.toLowerCase() ?? '';
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificates to trust, no login.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            to: addressOf(mail),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address !== 'object') throw new Error('SMTP server has no port');
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const to = (address: string) => messages.filter((m) => m.to === address.toLowerCase());
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    messages,
    to,
    latest(addr) {
      const found = to(addr).at(-1);
      if (!found) throw new Error(`no mail to ${addr} (got ${messages.length} in total)`);
      return found;
    },
  };
}

/** The `token` query parameter of the first APP_URL link in a message. */
export function tokenFromLink(mail: ReceivedMail): string {
  const link = mail.text.match(/https?:\/\/\S+/)?.[0];
  const token = link ? new URL(link).searchParams.get('token') : null;
  if (!token) throw new Error(`no token link in: ${mail.subject}`);
  return token;
}

export function codeFromMail(mail: ReceivedMail): string {
  const code = mail.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code in: ${mail.subject}`);
  return code;
}
