/**
 * A real SMTP server (smtp-server) that counts what arrives, by envelope recipient: the
 * worker's mailer delivers to it over the wire, so "sent once" means one message received
 * here, whatever the worker believed it did before it was killed.
 */
import { SMTPServer } from 'smtp-server';

export interface CountingSmtp {
  url: string;
  /** Messages received in full but not yet answered (see acceptDelayMs). */
  inFlight(): number;
  /** Messages whose sender hung up before the server accepted them: not delivered. */
  discarded(): number;
  /** Messages received for `address` so far. */
  count(address: string): number;
  /** Every message received. */
  total(): number;
  close(): Promise<void>;
}

/**
 * `acceptDelayMs` holds each message that long before answering 250, as a slow relay does: a
 * sender killed meanwhile never learns it was accepted, so the message is dropped, not
 * delivered (the sender must send it again, and does, once its job is retried).
 */
export async function startCountingSmtp(
  options: { acceptDelayMs?: number } = {},
): Promise<CountingSmtp> {
  const received = new Map<string, number>();
  const closed = new Set<string>();
  let total = 0;
  let inFlight = 0;
  let discarded = 0;
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificates to trust, no login.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onClose(session) {
      closed.add(session.id);
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        inFlight += 1;
        setTimeout(() => {
          inFlight -= 1;
          if (closed.has(session.id)) {
            discarded += 1;
            callback(new Error('the sender hung up before the message was accepted'));
            return;
          }
          total += 1;
          for (const recipient of session.envelope.rcptTo) {
            const address = recipient.address.toLowerCase();
            received.set(address, (received.get(address) ?? 0) + 1);
          }
          callback();
        }, options.acceptDelayMs ?? 0);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address !== 'object') throw new Error('the SMTP server has no port');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    inFlight: () => inFlight,
    discarded: () => discarded,
    count: (recipient) => received.get(recipient.toLowerCase()) ?? 0,
    total: () => total,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
