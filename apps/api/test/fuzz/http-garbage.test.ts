/**
 * Raw HTTP garbage against the real listening server (the same `listen()` server.ts uses):
 * whatever arrives, the answer is a 4xx in the error contract — never a 5xx, a stack or SQL —
 * and the server goes on serving.
 */
import net from 'node:net';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { APP_CODES } from '../../src/errors/app-codes';
import { MAX_TRPC_BATCH_CALLS } from '../../src/http/middleware/trpc-request-guards';
import { listen, type RunningServer } from '../../src/http-server';
import type { AppRouter } from '../../src/trpc/root';
import { createTestApp, readErrorEnvelope, type TestApp } from '../harness';
import { registerAccount } from '../support/accounts';

const BODY_LIMIT_BYTES = 64 * 1024;

let t: TestApp;
let server: RunningServer;
let accessToken: string;

beforeAll(async () => {
  t = await createTestApp({ env: { BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) } });
  server = await listen(t.app, { port: 0, host: '127.0.0.1' });
  accessToken = (await registerAccount(t)).accessToken;
});
afterAll(() => server.close(1_000));

const ZKnownAppCode = z
  .string()
  .refine((code) => Object.hasOwn(APP_CODES, code), 'unknown appCode');

/** tRPC's error shape with our data (unbatched, or one entry of a batch). */
const ZTrpcError = z.object({
  error: z.object({
    message: z.string(),
    code: z.number(),
    data: z.looseObject({ code: z.string(), httpStatus: z.number(), appCode: ZKnownAppCode }),
  }),
});

/** What no body may ever carry: a stack frame, a file path of ours, SQL or a driver message. */
const LEAKS =
  /\bat [\w.<>]+ \(|\.ts:\d+|node_modules|\bselect\b.+\bfrom\b|\binsert into\b|\bpostgres|\bsyntax error at\b|\brelation "/i;

async function send(path: string, init?: RequestInit) {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  expect(text).not.toMatch(LEAKS);
  return { status: response.status, headers: response.headers, text };
}

/** A tRPC error answer: its status, and its (first, for a batch) error in tRPC's shape. */
async function trpcError(path: string, init?: RequestInit) {
  const { status, text } = await send(path, init);
  const parsed: unknown = JSON.parse(text);
  const { error } = ZTrpcError.parse(Array.isArray(parsed) ? parsed[0] : parsed);
  expect(error.data.httpStatus).toBe(status);
  return { status, error };
}

const json = { 'content-type': 'application/json' };
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

async function userCount() {
  const row = await t.deps.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('huge batches', () => {
  it(`refuses a batch of more than ${MAX_TRPC_BATCH_CALLS} calls with 400 BATCH_TOO_LARGE, running none of them`, async () => {
    // Few enough that the URL stays under Node's 16 kB header limit and the body under ours.
    const calls = 300;
    const before = await userCount();
    const paths = Array(calls).fill('auth.register').join(',');
    const inputs = Object.fromEntries(
      Array.from({ length: calls }, (_, i) => [
        i,
        { email: `batch-${i}@example.test`, password: 'correct horse battery staple' },
      ]),
    );

    const { status, error } = await trpcError(`/trpc/${paths}?batch=1`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(inputs),
    });

    expect(status).toBe(400);
    expect(error.data).toMatchObject({
      code: 'BAD_REQUEST',
      appCode: 'BATCH_TOO_LARGE',
      details: { maxCalls: MAX_TRPC_BATCH_CALLS, calls },
      requestId: expect.any(String),
    });
    expect(await userCount()).toBe(before);
  });

  it('refuses a GET batch of thousands of queries the same way', async () => {
    const paths = Array(1_000).fill('auth.me').join(',');

    const { status, error } = await trpcError(`/trpc/${paths}?batch=1&input={}`);

    expect(status).toBe(400);
    expect(error.data.appCode).toBe('BATCH_TOO_LARGE');
  });

  it('serves a batch of exactly the limit', async () => {
    const paths = Array(MAX_TRPC_BATCH_CALLS).fill('billing.plans.list').join(',');

    const response = await fetch(`${server.url}/trpc/${paths}?batch=1&input={}`);

    expect(response.status).toBe(200);
    expect(await response.json()).toHaveLength(MAX_TRPC_BATCH_CALLS);
  });

  it("gives a typed client's every call of an oversized batch the appCode", async () => {
    // A plain httpBatchLink, without the maxItems split the SDK and the harness configure.
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${server.url}/trpc` })],
    });

    const results = await Promise.allSettled(
      Array.from({ length: MAX_TRPC_BATCH_CALLS + 1 }, () => client.billing.plans.list.query()),
    );

    const codes = results.map((result) =>
      result.status === 'rejected' && result.reason instanceof TRPCClientError
        ? result.reason.data?.appCode
        : result.status,
    );
    expect(new Set(codes)).toEqual(new Set(['BATCH_TOO_LARGE']));
  });
});

describe('oversized bodies', () => {
  it('answers a body over BODY_LIMIT_BYTES with 413 PAYLOAD_TOO_LARGE, and the connection serves on', async () => {
    const response = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'a@example.test', password: 'x'.repeat(4 * BODY_LIMIT_BYTES) }),
    });

    expect(response.status).toBe(413);
    expect((await readErrorEnvelope(response)).error.appCode).toBe('PAYLOAD_TOO_LARGE');
  });

  it('closes the connection after a 413, so a keep-alive client does not reuse a socket the server cuts', async () => {
    const oversized = () =>
      fetch(`${server.url}/trpc/auth.login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ password: 'x'.repeat(4 * BODY_LIMIT_BYTES) }),
      });

    for (let round = 0; round < 5; round++) {
      const refused = await oversized();
      expect(refused.status).toBe(413);
      expect(refused.headers.get('connection')).toBe('close');
      await refused.text();
      // The very next request on the client's pool must be answered, not cut.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    }
  });

  it('answers a chunked body that grows past the limit with 413 before reading it all', async () => {
    // Raw, because fetch gives up on a server that answers before the upload is done.
    const chunk = `${(16 * 1024).toString(16)}\r\n${'x'.repeat(16 * 1024)}\r\n`;
    const request = [
      'POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n',
      'Transfer-Encoding: chunked\r\n\r\n',
      chunk.repeat(8),
      '0\r\n\r\n',
    ].join('');

    const answer = await rawRequest(request);

    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"appCode":"PAYLOAD_TOO_LARGE"');
  });
});

describe('wrong content types and invalid JSON', () => {
  it.each([
    ['text/plain', '{"email":"a@example.test","password":"x"}'],
    ['application/x-www-form-urlencoded', 'email=a%40example.test&password=x'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n'],
    ['application/octet-stream', '\u0000\u0001\u0002'],
    ['application/json; charset=utf-16', '\u00ff\u00fe{}'],
  ])('refuses a POST of %s with a 4xx tRPC error', async (contentType, body) => {
    const { status, error } = await trpcError('/trpc/auth.login', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(['MALFORMED_REQUEST', 'VALIDATION_FAILED']).toContain(error.data.appCode);
  });

  it('answers a POST that is not JSON with 415 in the error contract, request id included', async () => {
    const response = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-request-id': 'garbage-415' },
      body: '{}',
    });

    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const { error } = ZTrpcError.parse(await response.json());
    expect(error.data).toMatchObject({ appCode: 'MALFORMED_REQUEST', requestId: 'garbage-415' });
  });

  it.each([
    ['truncated', '{"email":'],
    ['trailing garbage', '{"email":"a@example.test"} xyz'],
    ['bare word', 'undefined'],
    ['lone surrogate', '{"email":"\\ud800"}'],
    ['huge exponent', '1e999999'],
    ['NUL bytes', '\u0000\u0000'],
  ])('answers invalid JSON (%s) with 400', async (_label, body) => {
    const { status, error } = await trpcError('/trpc/auth.login', {
      method: 'POST',
      headers: json,
      body,
    });

    expect(status).toBe(400);
    expect(['MALFORMED_REQUEST', 'VALIDATION_FAILED']).toContain(error.data.appCode);
  });

  it('answers an unparseable batch body with 400 for its calls', async () => {
    const { status, error } = await trpcError('/trpc/auth.login,auth.login?batch=1', {
      method: 'POST',
      headers: json,
      body: '[1,2]',
    });

    expect(status).toBe(400);
    expect(error.data.appCode).toBe('MALFORMED_REQUEST');
  });
});

describe('deeply nested input', () => {
  const DEPTH = 10_000;

  it.each([
    ['an array body', '/trpc/auth.login', () => deepArray(DEPTH)],
    ['an object body', '/trpc/auth.login', () => `{"email":${deepObject(DEPTH)},"password":"x"}`],
    ['a batch body', '/trpc/auth.login?batch=1', () => `{"0":${deepObject(DEPTH)}}`],
    ['a signed-in mutation', '/trpc/auth.updateProfile', () => `{"name":${deepArray(DEPTH)}}`],
    ['a webhook body', '/webhooks/stripe', () => deepObject(DEPTH)],
  ])(`answers ${DEPTH} levels in %s with a 4xx, not a crash`, async (_label, path, body) => {
    // Signed in, so guarded procedures reach their input parsing too.
    const headers = { ...json, authorization: `Bearer ${accessToken}` };

    const { status } = await send(path, { method: 'POST', headers, body: body() });

    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it(`answers ${DEPTH} levels in a query's input with 400`, async () => {
    // In-process: a URL this long stops at Node's header limit (431) on the real server.
    const input = encodeURIComponent(`{"code":${deepArray(DEPTH)}}`);

    const response = await t.fetch(`http://tollbooth.test/trpc/billing.plans.get?input=${input}`);

    expect(response.status).toBe(400);
    const { error } = ZTrpcError.parse(await response.json());
    expect(error.data.appCode).toBe('VALIDATION_FAILED');
  });
});

describe('unknown paths and wrong methods', () => {
  it.each([
    'nope',
    'auth.nope',
    'auth',
    'auth..me',
    '__proto__',
    'constructor',
    'auth.toString',
    'auth.__proto__.me',
    '%00',
    'a'.repeat(4_000),
  ])('answers /trpc/%s with 404 NOT_FOUND', async (path) => {
    const { status, error } = await trpcError(`/trpc/${path}`);

    expect(status).toBe(404);
    expect(error.data.appCode).toBe('NOT_FOUND');
  });

  it('answers an unknown plain route with the 404 envelope', async () => {
    const response = await fetch(`${server.url}/wp-admin/setup.php`);

    expect(response.status).toBe(404);
    expect((await readErrorEnvelope(response)).error.appCode).toBe('NOT_FOUND');
  });

  it.each([
    ['GET', 'auth.login'],
    ['POST', 'auth.me'],
    ['PUT', 'auth.login'],
    ['PATCH', 'auth.login'],
    ['DELETE', 'auth.login'],
    ['OPTIONS', 'auth.login'],
  ])('answers %s on %s with 405 METHOD_NOT_ALLOWED', async (method, path) => {
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    const { status, error } = await trpcError(`/trpc/${path}`, {
      method,
      headers: hasBody ? json : {},
      body: hasBody ? '{}' : undefined,
    });

    expect(status).toBe(405);
    expect(error.data.appCode).toBe('METHOD_NOT_ALLOWED');
  });
});

/** One raw HTTP/1.1 exchange, for what fetch refuses to send; resolves with the status line. */
function rawRequest(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.end(request);
  });
}

describe('absurd URLs and headers', () => {
  it.each([
    ['a 100 kB URL', `GET /trpc/${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    [
      'a 100 kB header',
      `GET /trpc/auth.me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(100_000)}\r\n\r\n`,
    ],
    [
      '5,000 headers',
      `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 5_000 }, (_, i) => `x-h${i}: v`).join('\r\n')}\r\n\r\n`,
    ],
    ['a garbage request line', 'FOO BAR BAZ\r\n\r\n'],
    ['binary noise', '\u0000\u00ff\u00fe\r\n\r\n'],
  ])('answers %s with a 4xx and keeps serving', async (_label, request) => {
    const answer = await rawRequest(request);

    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
    expect(status, answer.slice(0, 200)).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(answer).not.toMatch(LEAKS);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers a long but acceptable bearer token with 401, not a crash', async () => {
    const { status, error } = await trpcError('/trpc/auth.me', {
      headers: { authorization: `Bearer ${'a'.repeat(8_000)}` },
    });

    expect(status).toBe(401);
    expect(error.data.appCode).toBe('UNAUTHENTICATED');
  });
});
