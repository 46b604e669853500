/**
 * The common shapes of a /trpc request (what the SDK's links send: a query by GET, a mutation
 * by POST, alone or batched, JSON in and out) answered by calling the router's procedures
 * directly, without tRPC's fetch adapter.
 *
 * Why: the adapter (`fetchRequestHandler` → `resolveResponse`) is built for every runtime and
 * every shape (streaming, SSE, form data, method override), and pays for that on each call:
 * the URL parsed twice, the request's AbortSignal materialised and combined with two more
 * (`AbortSignal.any`) per request and per call, a Headers object of its own, and a WHATWG
 * Response. On this machine class that was ≈ 15% of the API's busy time under `auth.me` load
 * (docs/decisions/0014-lean-request-path.md). Here the procedures run exactly as the adapter
 * runs them (same procedure call, same middleware chain, same input parsing, same error
 * formatter, status and `onError` hook, through tRPC's own exported helpers), and the answer
 * is written through Hono's context, which @hono/node-server sends in one write.
 *
 * Anything else — HEAD, a streaming or SSE `accept`, a path that names no procedure or the
 * wrong method for it, an encoded path, `connectionParams`, input that is not JSON or not an
 * object for a batch — returns `undefined`, and the caller hands the request to tRPC's adapter,
 * so every unusual request keeps tRPC's own answer (test/trpc.direct-calls.parity.test.ts
 * compares the two for every procedure of appRouter).
 *
 * Procedures get no AbortSignal (none of ours reads one; a client that leaves mid-call lets
 * the call finish, as a plain Hono handler would).
 */
import {
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
  getErrorShape,
  getTRPCErrorFromUnknown,
  TRPCError,
  type TRPCProcedureType,
  transformTRPCResponse,
} from '@trpc/server';
import { getHTTPStatusCode } from '@trpc/server/http';
import type { TRPCResponse } from '@trpc/server/rpc';
import type { Context as HonoContext } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface DirectCallHooks<TContext> {
  createContext(resHeaders: Headers): TContext;
  onError(failure: { error: TRPCError; path: string | undefined }): void;
  /** Extra response headers for the errors of this request (tRPC's `responseMeta`). */
  errorHeaders(errors: readonly TRPCError[]): Headers | undefined;
}

interface Call {
  path: string;
  procedure: AnyTRPCProcedure;
}

type CallOutcome = { ok: true; data: unknown } | { ok: false; error: TRPCError };

/** What the request body or query string held, once parsed. */
type ParsedInputs = { ok: true; inputs: unknown[] } | { ok: false };

/**
 * Answers the request when it has one of the common shapes; `undefined` hands it back.
 * `body` receives the POST body text that was read, so a request handed back can be rebuilt.
 */
export async function answerDirectly<TContext>(
  c: HonoContext,
  router: AnyTRPCRouter,
  endpoint: string,
  hooks: DirectCallHooks<TContext>,
  read: { text?: string },
): Promise<Response | undefined> {
  const method = c.req.method;
  if (method !== 'GET' && method !== 'POST') return undefined;
  if (wantsStream(c)) return undefined;
  const target = splitTarget(c.req.url, endpoint);
  if (!target) return undefined;
  const batch = target.params?.get('batch') === '1';
  if (target.params?.has('connectionParams')) return undefined;
  const calls = findCalls(router, target.path, batch, method === 'GET' ? 'query' : 'mutation');
  if (!calls) return undefined;

  let raw: string | null | undefined;
  if (method === 'GET') raw = target.params?.get('input');
  else {
    raw = await c.req.raw.text();
    read.text = raw;
  }
  const parsed = parseInputs(raw, batch, calls.length);
  if (!parsed.ok) return undefined;

  const resHeaders = new Headers();
  const ctx = hooks.createContext(resHeaders);
  const outcomes = await Promise.all(
    calls.map((call, index) => runCall(call, index, parsed.inputs[index], ctx, hooks)),
  );

  const config = router._def._config;
  const errors: TRPCError[] = [];
  const responses = outcomes.map((outcome, index): TRPCResponse => {
    if (outcome.ok) return { result: { data: outcome.data } };
    errors.push(outcome.error);
    const call = calls[index];
    return {
      error: getErrorShape({
        config,
        ctx,
        error: outcome.error,
        input: parsed.inputs[index],
        path: call?.path,
        type: call?.procedure._def.type ?? 'unknown',
      }),
    };
  });
  const status = getHTTPStatusCode(
    responses,
    outcomes.map((outcome) => (outcome.ok ? undefined : outcome.error)),
  );

  c.header('content-type', 'application/json');
  c.header('vary', 'trpc-accept, accept', { append: true });
  resHeaders.forEach((value, name) => {
    addHeader(c, name, value);
  });
  hooks.errorHeaders(errors)?.forEach((value, name) => {
    addHeader(c, name, value);
  });
  const [first] = responses;
  const payload = transformTRPCResponse(config, batch || !first ? responses : first);
  return c.body(JSON.stringify(payload), isContentfulStatus(status) ? status : 500);
}

/** tRPC's statuses come from its code table (200, 207 for a mixed batch, 4xx, 5xx). */
function isContentfulStatus(status: number): status is ContentfulStatusCode {
  return (
    Number.isInteger(status) && status >= 200 && status <= 599 && ![204, 205, 304].includes(status)
  );
}

/** As with tRPC's own Response (http/prepared-headers.ts): Vary and cookies add up, else the call's value wins. */
function addHeader(c: HonoContext, name: string, value: string) {
  if (name === 'vary' || name === 'set-cookie') c.header(name, value, { append: true });
  else c.header(name, value);
}

/** tRPC's stream and SSE answers (`httpBatchStreamLink`, subscriptions) stay with tRPC. */
function wantsStream(c: HonoContext): boolean {
  if (c.req.header('trpc-accept') !== undefined) return true;
  const accept = c.req.header('accept');
  return accept !== undefined && (accept.includes('jsonl') || accept.includes('event-stream'));
}

/** The procedure path(s) and the query string, from the raw URL (no URL object built). */
function splitTarget(
  url: string,
  endpoint: string,
): { path: string; params: URLSearchParams | undefined } | undefined {
  const start = url.indexOf(`${endpoint}/`, url.indexOf('//') + 2);
  if (start === -1) return undefined;
  const query = url.indexOf('?', start);
  const path = url.slice(start + endpoint.length + 1, query === -1 ? undefined : query);
  // Percent-encoded or trailing-slash paths: tRPC decodes and trims them its own way.
  if (path === '' || path.includes('%') || path.endsWith('/')) return undefined;
  return { path, params: query === -1 ? undefined : new URLSearchParams(url.slice(query + 1)) };
}

/** Every named procedure, all of the type the method serves; undefined if any is not. */
function findCalls(
  router: AnyTRPCRouter,
  path: string,
  batch: boolean,
  type: TRPCProcedureType,
): Call[] | undefined {
  const procedures: Record<string, AnyTRPCProcedure | undefined> = router._def.procedures;
  const calls: Call[] = [];
  for (const name of batch ? path.split(',') : [path]) {
    const procedure = Object.hasOwn(procedures, name) ? procedures[name] : undefined;
    if (!procedure || procedure._def.type !== type) return undefined;
    calls.push({ path: name, procedure });
  }
  return calls;
}

/** tRPC's JSON rules: no input is undefined; a batch's input is an object keyed by index. */
function parseInputs(raw: string | null | undefined, batch: boolean, count: number): ParsedInputs {
  const inputs: unknown[] = new Array(count).fill(undefined);
  if (!raw) return { ok: true, inputs };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false };
  }
  if (!batch) {
    inputs[0] = value;
    return { ok: true, inputs };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false };
  for (let index = 0; index < count; index++) inputs[index] = Reflect.get(value, index);
  return { ok: true, inputs };
}

async function runCall<TContext>(
  call: Call,
  index: number,
  input: unknown,
  ctx: TContext,
  hooks: DirectCallHooks<TContext>,
): Promise<CallOutcome> {
  try {
    const data: unknown = await call.procedure({
      path: call.path,
      getRawInput: async () => input,
      ctx,
      type: call.procedure._def.type,
      signal: undefined,
      batchIndex: index,
    });
    if (isDataStream(data)) {
      throw new TRPCError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message:
          'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
      });
    }
    return { ok: true, data };
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    hooks.onError({ error, path: call.path });
    return { ok: false, error };
  }
}

/** tRPC refuses to JSON-encode results holding promises or async iterables. */
function isDataStream(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Symbol.asyncIterator in value) return true;
  return Object.values(value).some(
    (item) =>
      item instanceof Promise ||
      (typeof item === 'object' && item !== null && Symbol.asyncIterator in item),
  );
}
