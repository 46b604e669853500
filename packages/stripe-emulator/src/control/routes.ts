// `/_emulator/*`: the test helpers over HTTP, for tests and scripts in other processes (the API's
// test suite, curl). Authenticated with the same secret key as the API. Bodies may be form- or
// JSON-encoded; answers are JSON, and errors use Stripe's envelope.
//
//   GET  /_emulator/clock                              → { now }
//   POST /_emulator/clock/advance   seconds|days|to     → { now, steps }
//   POST /_emulator/checkout/sessions/:id/complete  card?, email?, name?
//   POST /_emulator/checkout/sessions/:id/fail      card?
//   POST /_emulator/customers/:id/cards             card, default?
//   GET  /_emulator/webhooks                           → { endpoints, switches }
//   POST /_emulator/webhooks   out_of_order, duplicate, drop_first_attempt, delay_ms, forward_to
//   GET  /_emulator/webhooks/attempts                  → { data: [...] }
//   GET  /_emulator/webhooks/settled                   → waits until nothing is left to deliver
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECONDS_PER_DAY } from '../clock.ts';
import type { EmulatorContext } from '../context.ts';
import {
  authenticationRequired,
  invalidApiKey,
  invalidRequest,
  StripeApiError,
  unrecognizedUrl,
} from '../errors.ts';
import { type FormObject, parseForm } from '../http/form.ts';
import { Params } from '../http/params.ts';
import { readBody, sendJson } from '../http/respond.ts';
import { type PathParams, pathParam, Router } from '../http/router.ts';
import { TEST_CARD_NAMES, type TestCardName } from '../objects/test-cards.ts';
import type { WebhookDispatcher } from '../webhooks/delivery.ts';
import type { Operations } from './operations.ts';

export interface ControlOptions {
  secretKey: string;
  webhookSecret: string;
  context: EmulatorContext;
  operations: Operations;
  dispatcher: WebhookDispatcher;
}

type ControlHandler = (params: Params, path: PathParams) => object | Promise<object>;

async function readParams(req: IncomingMessage): Promise<Params> {
  const body = await readBody(req);
  if (!(req.headers['content-type'] ?? '').includes('application/json'))
    return new Params(parseForm(body));
  const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
  const form: FormObject = {};
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const [key, value] of Object.entries(parsed)) {
      if (value !== null && value !== undefined) form[key] = String(value);
    }
  }
  return new Params(form);
}

function readCard(p: Params, fallback: TestCardName): TestCardName {
  return p.enum('card', TEST_CARD_NAMES) ?? fallback;
}

function checkKey(header: string | undefined, secretKey: string): void {
  const key = header?.replace(/^Bearer\s+/i, '') ?? '';
  if (!key) throw authenticationRequired();
  if (key !== secretKey) throw invalidApiKey(key);
}

export function createControlHandler(options: ControlOptions) {
  const { operations, dispatcher, context } = options;

  const router = new Router<ControlHandler>()
    .get('/_emulator/clock', () => ({ now: context.clock.now() }))
    .post('/_emulator/clock/advance', (p) => {
      const to = p.integer('to');
      const seconds = p.integer('seconds') ?? (p.integer('days') ?? 0) * SECONDS_PER_DAY;
      p.assertConsumed();
      if (to === undefined && seconds <= 0) throw invalidRequest('Pass `seconds`, `days` or `to`.');
      return operations.advanceClockTo(to ?? context.clock.now() + seconds);
    })
    .post('/_emulator/checkout/sessions/:id/complete', (p, path) => {
      const card = readCard(p, 'visa');
      const email = p.string('email');
      const name = p.string('name');
      p.assertConsumed();
      return operations.completeCheckout(pathParam(path), {
        card,
        ...(email ? { email } : {}),
        ...(name ? { name } : {}),
      });
    })
    .post('/_emulator/checkout/sessions/:id/fail', (p, path) => {
      const card = readCard(p, 'declined');
      p.assertConsumed();
      return { decline: operations.failCheckout(pathParam(path), card) };
    })
    .post('/_emulator/customers/:id/cards', (p, path) => {
      const card = readCard(p, 'visa');
      const makeDefault = p.boolean('default') ?? true;
      p.assertConsumed();
      return { payment_method: operations.attachCard(pathParam(path), card, makeDefault) };
    })
    .get('/_emulator/webhooks', () => webhookState())
    .post('/_emulator/webhooks', (p) => {
      const forwardTo = p.string('forward_to');
      const changes = {
        ...optional('outOfOrder', p.boolean('out_of_order')),
        ...optional('duplicate', p.boolean('duplicate')),
        ...optional('dropFirstAttempt', p.boolean('drop_first_attempt')),
        ...optional('delayMs', p.integer('delay_ms')),
      };
      p.assertConsumed();
      dispatcher.setSwitches(changes);
      if (forwardTo) dispatcher.endpoints.push({ url: forwardTo, secret: options.webhookSecret });
      return webhookState();
    })
    .get('/_emulator/webhooks/attempts', () => ({ data: dispatcher.attempts }))
    .get('/_emulator/webhooks/settled', async () => {
      await dispatcher.settled();
      return { settled: true };
    });

  function webhookState() {
    return {
      endpoints: dispatcher.endpoints.map((endpoint) => endpoint.url),
      switches: dispatcher.switches,
    };
  }

  async function route(req: IncomingMessage, url: URL): Promise<object> {
    const method = req.method ?? 'GET';
    const match = router.match(method, url.pathname);
    if (!match) throw unrecognizedUrl(method, url.pathname);
    const p =
      method === 'POST' ? await readParams(req) : new Params(parseForm(url.search.slice(1)));
    return match.handler(p, match.path);
  }

  return async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL) {
    try {
      checkKey(req.headers.authorization, options.secretKey);
      sendJson(res, 200, JSON.stringify(await route(req, url)));
    } catch (error) {
      if (error instanceof StripeApiError)
        sendJson(res, error.status, JSON.stringify({ error: error.body }));
      else if (error instanceof SyntaxError)
        sendJson(
          res,
          400,
          JSON.stringify({
            error: { type: 'invalid_request_error', message: 'Invalid JSON body.' },
          }),
        );
      else throw error;
    }
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  if (value === undefined) return {};
  const entry: Partial<Record<K, V>> = {};
  entry[key] = value;
  return entry;
}
