/**
 * A real SMTP server (smtp-server) that counts what arrives, by envelope recipient: the
 * worker's mailer delivers to it over the wire, so "sent once" means one message received
 * here, whatever the worker believed it did before it was killed.
 */
import { SMTPServer } from 'smtp-server';

export interface CountingSmtp {
  url: string;
  /** Messages received for `address` so far. */
  count(address: string): number;
  /** Every message received. */
  total(): number;
  close(): Promise<void>;
}

export async function startCountingSmtp(): Promise<CountingSmtp> {
  const received = new Map<string, number>();
  let total = 0;
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificates to trust, no login.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        total += 1;
        for (const recipient of session.envelope.rcptTo) {
          const address = recipient.address.toLowerCase();
          received.set(address, (received.get(address) ?? 0) + 1);
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address !== 'object') throw new Error('the SMTP server has no port');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    count: (recipient) => received.get(recipient.toLowerCase()) ?? 0,
    total: () => total,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
