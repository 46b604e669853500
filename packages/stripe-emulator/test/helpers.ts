// Test harness: a fresh emulator per test on a random port with a frozen clock and fast webhook
// retries, the official SDK pointed at it, and a real HTTP webhook receiver that verifies every
// delivery with `stripe.webhooks.constructEvent`. Tests talk to the emulator the way Tollbooth
// will: through the SDK, the hosted pages over HTTP, and webhooks.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import {
  createManualClock,
  type StripeEmulator,
  type StripeEmulatorOptions,
  startStripeEmulator,
} from '../src/index.ts';

/** 2030-01-15T12:00:00Z: a fixed start so period arithmetic in assertions is exact. */
export const START = Date.UTC(2030, 0, 15, 12, 0, 0) / 1000;
/** End of the first monthly period of a subscription started at START. */
export const PERIOD_END = Date.UTC(2030, 1, 15, 12) / 1000;
export const DAY = 86_400;

export interface TestEnv {
  emulator: StripeEmulator;
  stripe: Stripe;
  stop(): Promise<void>;
}

export async function startTestEmulator(options: StripeEmulatorOptions = {}): Promise<TestEnv> {
  const emulator = await startStripeEmulator({
    clock: createManualClock(START),
    webhooks: { retryDelaysMs: [5, 5, 5], timeoutMs: 2_000 },
    ...options,
  });
  // No SDK retries: a test must see exactly the response the emulator gave.
  const stripe = new Stripe(emulator.secretKey, { ...emulator.stripeConfig, maxNetworkRetries: 0 });
  return { emulator, stripe, stop: () => emulator.stop() };
}

export interface Receiver {
  url: string;
  /** Verified events in arrival order (duplicates included). */
  events: Stripe.Event[];
  /** Deliveries whose signature did not verify. */
  rejected: number;
  /** Every request received, verified or not. */
  requests: number;
  /** The Stripe-Signature header of every request. */
  signatures: string[];
  /** Every verified delivery in arrival order, with the answer it got (retries included). */
  arrivals: Array<{ eventId: string; status: number | 'hang' }>;
  close(): Promise<void>;
}

async function rawBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A webhook endpoint like Tollbooth's: raw body → constructEvent → 2xx. `status(n, event)` picks
 * the answer to the n-th request (1-based) carrying that verified event — an HTTP status, or
 * 'hang' to never answer — to simulate a failing receiver.
 */
export async function startReceiver(
  secret: string,
  status: (n: number, event: Stripe.Event) => number | 'hang' = () => 200,
): Promise<Receiver> {
  const verifier = new Stripe('sk_test_receiver');
  const receiver: Receiver = {
    url: '',
    events: [],
    rejected: 0,
    requests: 0,
    signatures: [],
    arrivals: [],
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    receiver.requests += 1;
    const n = receiver.requests;
    const body = await rawBody(req);
    const signature = String(req.headers['stripe-signature']);
    receiver.signatures.push(signature);
    let event: Stripe.Event;
    try {
      event = verifier.webhooks.constructEvent(body, signature, secret);
    } catch {
      receiver.rejected += 1;
      res.writeHead(400).end();
      return;
    }
    const code = status(n, event);
    receiver.arrivals.push({ eventId: event.id, status: code });
    if (code === 'hang') return;
    if (code < 300) receiver.events.push(event);
    res.writeHead(code).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('receiver did not bind');
  receiver.url = `http://127.0.0.1:${address.port}/webhooks/stripe`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

export async function createPlan(
  stripe: Stripe,
  options: { amount: number; interval?: 'month' | 'year'; name?: string; lookupKey?: string },
) {
  const product = await stripe.products.create({ name: options.name ?? 'Pro' });
  const price = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: options.amount,
    recurring: { interval: options.interval ?? 'month' },
    ...(options.lookupKey ? { lookup_key: options.lookupKey } : {}),
  });
  return { product, price };
}

/** Checkout in subscription mode, paid with the given test card through the helper. */
export async function subscribe(env: TestEnv, price: Stripe.Price, email = 'ada@example.com') {
  const session = await env.stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: price.id, quantity: 1 }],
    customer_email: email,
    success_url: 'https://app.example.com/billing/success?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://app.example.com/billing/cancel',
  });
  const completion = env.emulator.completeCheckout(session.id);
  if (!completion.subscription || !completion.customer)
    throw new Error('checkout did not subscribe');
  const subscription = await env.stripe.subscriptions.retrieve(completion.subscription);
  return { session, subscription, customerId: completion.customer };
}

/** The StripeError a request failed with; fails the test if it succeeded or failed otherwise. */
export async function stripeError(request: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await request;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected the request to fail with a StripeError');
}

/** customers.retrieve may return a DeletedCustomer; the tests only ever expect a live one. */
export async function liveCustomer(stripe: Stripe, id: string): Promise<Stripe.Customer> {
  const customer = await stripe.customers.retrieve(id);
  if (customer.deleted) throw new Error(`customer ${id} is deleted`);
  return customer;
}
