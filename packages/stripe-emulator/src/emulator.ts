// `createStripeEmulator(options)`: one emulator instance — state, clock, webhook dispatcher and
// HTTP server — wired together. In-process use (tests) and the CLI (bin/start.ts) both go
// through here. Point the official SDK at it with
// `new Stripe(emulator.secretKey, emulator.stripeConfig)`.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runDueWork } from './billing/scheduler.ts';
import { createSystemClock } from './clock.ts';
import type { EmulatorContext, EmulatorSettings } from './context.ts';
import { createOperations } from './control/operations.ts';
import { createControlHandler } from './control/routes.ts';
import { API_VERSION, EventLog } from './events.ts';
import { createApiHandler } from './http/api.ts';
import type { ExpandSources } from './http/expand.ts';
import { toJson } from './json.ts';
import {
  DEFAULT_DUNNING,
  DEFAULT_RETRY_DELAYS_MS,
  DEFAULT_SECRET_KEY,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WEBHOOK_SECRET,
  type StripeEmulator,
  type StripeEmulatorOptions,
} from './options.ts';
import { handleCheckoutPage } from './pages/checkout.ts';
import { handleInvoicePage } from './pages/invoice.ts';
import { handlePortalPage } from './pages/portal.ts';
import { loadState, saveState } from './persistence.ts';
import { createApiRouter } from './resources/index.ts';
import { createHttpServer } from './server.ts';
import { createStore, findById } from './store.ts';
import { NO_SWITCHES, WebhookDispatcher } from './webhooks/delivery.ts';

export function createStripeEmulator(options: StripeEmulatorOptions = {}): StripeEmulator {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const secretKey = options.secretKey ?? DEFAULT_SECRET_KEY;
  const webhookSecret = options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET;
  const clock = options.clock ?? createSystemClock();
  const store = createStore();
  const settings: EmulatorSettings = {
    publicUrl: options.publicUrl ?? '',
    dunning: { ...DEFAULT_DUNNING, ...options.dunning },
    checkoutSessionLifetimeSeconds: 24 * 60 * 60,
  };
  const dispatcher = new WebhookDispatcher({
    retryDelaysMs: options.webhooks?.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: options.webhooks?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    switches: { ...NO_SWITCHES, ...options.webhooks?.switches },
    log,
    onDelivered(event) {
      const stored = store.events.get(event.id);
      if (stored && stored.pending_webhooks > 0) stored.pending_webhooks -= 1;
    },
  });
  const forwardTo = options.forwardTo === undefined ? [] : [options.forwardTo].flat();
  for (const url of forwardTo) dispatcher.endpoints.push({ url, secret: webhookSecret });
  const events = new EventLog(
    store,
    clock,
    () => dispatcher.endpoints.length,
    (event) => dispatcher.enqueue(event),
  );
  const ctx: EmulatorContext = { store, clock, events, settings };
  if (options.statePath) loadState(options.statePath, store, clock);

  let saveTimer: NodeJS.Timeout | undefined;
  const saveNow = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    if (options.statePath) saveState(options.statePath, store, clock);
  };
  const catchUp = () => {
    runDueWork(ctx, clock.now(), false);
  };
  const afterChange = () => {
    dispatcher.flush();
    if (options.statePath && !saveTimer) saveTimer = setTimeout(saveNow, 50);
  };
  const operations = createOperations(ctx, { before: catchUp, after: afterChange });
  const expandSources: ExpandSources = {
    byId(id) {
      const found = findById(store, id);
      return found ? toJson(found) : undefined;
    },
    virtual(owner, field) {
      if (
        owner.object !== 'checkout.session' ||
        field !== 'line_items' ||
        typeof owner.id !== 'string'
      )
        return undefined;
      const data = store.checkoutLineItems.get(owner.id) ?? [];
      return toJson({
        object: 'list',
        data,
        has_more: false,
        url: `/v1/checkout/sessions/${owner.id}/line_items`,
      });
    },
  };
  const pageAction = () => afterChange();
  const server: Server = createHttpServer({
    api: createApiHandler({
      secretKey,
      router: createApiRouter(ctx),
      context: ctx,
      expandSources,
      beforeRequest: catchUp,
      afterRequest: afterChange,
      log,
    }),
    control: createControlHandler({
      secretKey,
      webhookSecret,
      context: ctx,
      operations,
      dispatcher,
    }),
    checkoutPage: (req, res, id) => handleCheckoutPage(ctx, req, res, id, pageAction),
    portalPage: (req, res, id) => handlePortalPage(ctx, req, res, id, pageAction),
    invoicePage: (req, res, id) => handleInvoicePage(ctx, req, res, id, pageAction),
    index: () => ({
      name: '@tollbooth/stripe-emulator',
      api_version: API_VERSION,
      now: clock.now(),
    }),
    log,
  });

  let port: number | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const listening = () => {
    if (port === undefined) throw new Error('stripe-emulator: call start() first');
    return port;
  };

  return {
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address: AddressInfo | string | null = server.address();
      port = typeof address === 'object' && address ? address.port : options.port;
      const browserHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      settings.publicUrl ||= `http://${browserHost}:${listening()}`;
      if (options.tickIntervalMs) {
        ticker = setInterval(() => {
          catchUp();
          afterChange();
        }, options.tickIntervalMs);
        ticker.unref();
      }
    },
    async stop() {
      if (ticker) clearInterval(ticker);
      dispatcher.stop();
      if (options.statePath) saveNow();
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    get url() {
      return `http://${host}:${listening()}`;
    },
    host,
    get port() {
      return listening();
    },
    secretKey,
    webhookSecret,
    apiVersion: API_VERSION,
    get stripeConfig() {
      return { host, port: listening(), protocol: 'http' as const };
    },
    clock: {
      now: () => clock.now(),
      advance: (seconds) => operations.advanceClockTo(clock.now() + seconds),
      advanceTo: (timestamp) => operations.advanceClockTo(timestamp),
    },
    webhooks: {
      addEndpoint: (url, secret = webhookSecret) => {
        dispatcher.endpoints.push({ url, secret });
      },
      setSwitches: (switches) => dispatcher.setSwitches(switches),
      settled: () => dispatcher.settled(),
      attempts: () => dispatcher.attempts,
    },
    completeCheckout: (sessionId, checkoutOptions) =>
      operations.completeCheckout(sessionId, checkoutOptions),
    failCheckout: (sessionId, card) => operations.failCheckout(sessionId, card),
    attachCard: (customerId, card = 'visa', makeDefault = true) =>
      operations.attachCard(customerId, card, makeDefault),
    attachDecliningCard: (customerId) =>
      operations.attachCard(customerId, 'chargeCustomerFail', true),
  };
}

export async function startStripeEmulator(
  options: StripeEmulatorOptions = {},
): Promise<StripeEmulator> {
  const emulator = createStripeEmulator(options);
  await emulator.start();
  return emulator;
}
