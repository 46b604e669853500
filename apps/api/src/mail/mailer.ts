/**
 * Outgoing mail behind one small interface. Production sends through SMTP_URL with
 * nodemailer; without it (dev, tests that do not start an SMTP server) a capture transport
 * keeps the last messages in memory and, when asked to (deps.ts: only for an explicit
 * NODE_ENV=development), prints each subject and its links so a developer can click through
 * sign-in flows without a mail server. Those links and codes are live credentials, so the
 * printing is opt-in, never a default.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export interface SmtpMailerOptions {
  url: string;
  from: string;
}

export function createSmtpMailer(options: SmtpMailerOptions): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(message) {
      await transport.sendMail({ from: options.from, ...message });
    },
    close: () => transport.close(),
  };
}

/** How many captured messages stay readable; older ones are dropped. */
const CAPTURED_MESSAGES_KEPT = 20;

export interface CaptureMailer extends Mailer {
  /** Newest last. */
  readonly messages: readonly MailMessage[];
}

export interface CaptureMailerOptions {
  /** Print subject and links to stdout (development only: links carry live secrets). */
  print: boolean;
  /** Also write each message as a text file here (the newest file wins per slot). */
  directory?: string;
}

const LINK = /https?:\/\/[^\s"'<>]+/g;
const CODE = /\b\d{6}\b/g;

export function createCaptureMailer(options: CaptureMailerOptions): CaptureMailer {
  const messages: MailMessage[] = [];
  let counter = 0;
  if (options.directory) mkdirSync(options.directory, { recursive: true });
  return {
    messages,
    async send(message) {
      messages.push(message);
      if (messages.length > CAPTURED_MESSAGES_KEPT) messages.shift();
      if (options.directory) {
        const slot = counter++ % CAPTURED_MESSAGES_KEPT;
        writeFileSync(
          path.join(options.directory, `message-${String(slot).padStart(2, '0')}.txt`),
          `To: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n`,
        );
      }
      if (options.print) {
        const links = [...(message.text.match(LINK) ?? []), ...(message.text.match(CODE) ?? [])];
        console.log(
          `[mail] to ${message.to}: ${message.subject}${links.map((link) => `\n  ${link}`).join('')}`,
        );
      }
    },
  };
}
