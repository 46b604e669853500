/**
 * The Stripe emulator as its own process (packages/stripe-emulator), for the webhook figure
 * that applies events: the API re-reads each event's object from it, as it would from Stripe.
 */
import { freePort } from '@tollbooth/db/testing';
import { type ServerProcess, startServerProcess } from './processes';

const SECRET_KEY = 'sk_test_emulator_0000000000000000';

export async function startBenchEmulator(repoRoot: string) {
  const port = await freePort();
  const server: ServerProcess = await startServerProcess({
    name: 'stripe-emulator',
    args: [
      '--import',
      'tsx',
      'packages/stripe-emulator/bin/start.ts',
      '--memory',
      '--port',
      String(port),
    ],
    cwd: repoRoot,
    port,
    readyPath: '/',
    env: { STRIPE_EMULATOR_SECRET_KEY: SECRET_KEY },
  });
  return {
    ...server,
    secretKey: SECRET_KEY,
    /** A customer linked to no account: its customer.updated is re-read and ignored. */
    async createCustomer(): Promise<Record<string, unknown>> {
      const response = await fetch(`${server.url}/v1/customers`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${SECRET_KEY}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'email=bench%40example.test',
      });
      if (!response.ok) throw new Error(`the emulator refused a customer: ${response.status}`);
      return response.json();
    },
  };
}
