// The `/v1` pipeline, in Stripe's order: authenticate the secret key, decode the form
// parameters, honour Idempotency-Key, let the handler validate (unknown parameters are rejected
// before anything changes), run it, apply `expand[]`, and answer with Stripe's headers. Errors
// come back in Stripe's envelope with Stripe's statuses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.ts';
import {
  authenticationRequired,
  invalidApiKey,
  StripeApiError,
  unrecognizedUrl,
} from '../errors.ts';
import { API_VERSION } from '../events.ts';
import { newId } from '../ids.ts';
import { toJson } from '../json.ts';
import { type ExpandSources, expand } from './expand.ts';
import { type FormObject, parseForm } from './form.ts';
import { fingerprintOf, IdempotencyStore } from './idempotency.ts';
import { Params } from './params.ts';
import { BodyTooLargeError, readBody, sendJson } from './respond.ts';
import type { Router } from './router.ts';

export interface ApiPipelineOptions {
  secretKey: string;
  router: Router;
  context: EmulatorContext;
  expandSources: ExpandSources;
  /** Runs before each request: brings billing up to the current emulated time. */
  beforeRequest(): void;
  /** Runs after each request that may have changed state: deliver events, persist. */
  afterRequest(): void;
  log(line: string): void;
}

export function createApiHandler(options: ApiPipelineOptions) {
  const idempotency = new IdempotencyStore();
  const { context } = options;

  return async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL) {
    const requestId = newId('request');
    const headers = { 'Request-Id': requestId, 'Stripe-Version': API_VERSION };
    const method = req.method ?? 'GET';
    try {
      authenticate(req.headers.authorization, options.secretKey);
      const body = method === 'POST' ? await readBody(req) : '';
      const form: FormObject = { ...parseForm(url.search.slice(1)), ...parseForm(body) };
      const key = method === 'POST' ? headerValue(req.headers['idempotency-key']) : undefined;
      const fingerprint = fingerprintOf(method, url.pathname, form);
      const now = context.clock.now();
      const saved = key ? idempotency.lookup(key, fingerprint, now) : undefined;
      if (key && saved) {
        sendJson(res, saved.status, saved.body, { ...headers, 'Idempotent-Replayed': 'true' });
        return;
      }

      const route = options.router.match(method, url.pathname);
      if (!route) throw unrecognizedUrl(method, url.pathname);
      options.beforeRequest();
      const params = new Params(form);
      const expandPaths = params.stringArray('expand') ?? [];
      const run = route.handler(params, route.path);
      params.assertConsumed();

      let status = 200;
      let responseBody: string;
      try {
        const result = context.events.withOrigin(
          { id: requestId, idempotencyKey: key ?? null },
          run,
        );
        responseBody = JSON.stringify(expand(toJson(result), expandPaths, options.expandSources));
      } catch (error) {
        // A card decline happens after execution started: Stripe saves and replays it.
        if (!(error instanceof StripeApiError) || error.status !== 402) throw error;
        status = error.status;
        responseBody = JSON.stringify({ error: error.body });
      } finally {
        options.afterRequest();
      }
      if (key) idempotency.save(key, fingerprint, { status, body: responseBody }, now);
      sendJson(res, status, responseBody, headers);
    } catch (error) {
      if (error instanceof StripeApiError) {
        sendJson(res, error.status, JSON.stringify({ error: error.body }), headers);
        return;
      }
      if (error instanceof BodyTooLargeError) {
        const body = {
          error: { type: 'invalid_request_error', message: 'Request body too large.' },
        };
        sendJson(res, 413, JSON.stringify(body), headers);
        return;
      }
      options.log(`[stripe-emulator] ${method} ${url.pathname} failed: ${String(error)}`);
      sendJson(
        res,
        500,
        JSON.stringify({ error: { type: 'api_error', message: 'An unknown error occurred.' } }),
        { ...headers, 'Stripe-Should-Retry': 'false' },
      );
    }
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Bearer `sk_…` as the SDK sends it, or HTTP Basic with the key as user, as curl -u does. */
function authenticate(header: string | undefined, secretKey: string): void {
  if (!header) throw authenticationRequired();
  const [scheme = '', credentials = ''] = header.split(' ', 2);
  let key = credentials;
  if (scheme.toLowerCase() === 'basic') {
    key = Buffer.from(credentials, 'base64').toString('utf8').split(':', 1)[0] ?? '';
  } else if (scheme.toLowerCase() !== 'bearer') {
    throw authenticationRequired();
  }
  if (key === '') throw authenticationRequired();
  if (key !== secretKey) throw invalidApiKey(key);
}
