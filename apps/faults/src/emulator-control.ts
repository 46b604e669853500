/**
 * The Stripe emulator's test controls over HTTP (packages/stripe-emulator README, "The same
 * helpers over HTTP"), for an emulator running as its own process: delivery switches,
 * completing a hosted checkout, moving its clock, waiting until every webhook is delivered,
 * and the list of delivery attempts.
 */
import type { Emulator } from './stack';

async function control(
  emulator: Emulator,
  method: 'GET' | 'POST',
  path: string,
  body: Record<string, string | number | boolean> = {},
  timeoutMs = 30_000,
): Promise<unknown> {
  const response = await fetch(`${emulator.url}/_emulator${path}`, {
    method,
    headers: {
      authorization: `Bearer ${emulator.secretKey}`,
      ...(method === 'POST' && { 'content-type': 'application/json' }),
    },
    ...(method === 'POST' && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  url: string;
  attempt: number;
  status: number | null;
  outcome: string;
}

export const emulatorControl = (emulator: Emulator) => ({
  setSwitches: (switches: {
    out_of_order?: boolean;
    duplicate?: boolean;
    drop_first_attempt?: boolean;
  }) => control(emulator, 'POST', '/webhooks', switches),
  completeCheckout: (sessionId: string) =>
    control(emulator, 'POST', `/checkout/sessions/${sessionId}/complete`, { card: 'visa' }),
  advanceDays: (days: number) => control(emulator, 'POST', '/clock/advance', { days }, 60_000),
  /** Resolves once nothing is left to deliver (retries included), or throws at `timeoutMs`. */
  settled: (timeoutMs: number) => control(emulator, 'GET', '/webhooks/settled', {}, timeoutMs),
  async attempts(): Promise<DeliveryAttempt[]> {
    const answer = await control(emulator, 'GET', '/webhooks/attempts');
    if (
      typeof answer === 'object' &&
      answer !== null &&
      'data' in answer &&
      Array.isArray(answer.data)
    ) {
      return answer.data;
    }
    throw new Error(`unexpected attempts answer: ${JSON.stringify(answer)}`);
  },
});
