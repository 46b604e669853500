/**
 * /trpc answers the SDK's request shapes by calling procedures directly
 * (src/http/trpc-direct-calls.ts) and everything else through tRPC's fetch adapter. A caller
 * must not be able to tell which path answered: for every procedure of appRouter (walked from
 * the router), the same requests sent to the app and to one that sends everything through the
 * adapter get the same status, headers that matter and body.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../src/app';
import { answerDirectly, type DirectCallHooks } from '../src/http/trpc-direct-calls';
import { appRouter } from '../src/trpc/root';
import { createTestApp, type TestApp } from './harness';
import { registerAccount } from './support/accounts';
import { listProcedures } from './support/procedures';

const PROCEDURES = listProcedures(appRouter);

describe('which /trpc requests are answered directly', () => {
  const tiny = initTRPC.create();
  const router = tiny.router({
    echo: tiny.procedure.input(z.object({ n: z.number() })).query(({ input }) => input.n),
    add: tiny.procedure.input(z.number()).mutation(({ input }) => input + 1),
    fails: tiny.procedure.query(() => {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'no' });
    }),
  });
  const hooks: DirectCallHooks<object> = {
    createContext: () => ({}),
    onError: () => {},
    errorHeaders: () => undefined,
  };
  /** The direct answer, or 'handed back' when the request goes on to tRPC's adapter. */
  async function answer(path: string, init: RequestInit = {}) {
    const app = new Hono();
    app.all('/trpc/*', async (c) => {
      const response = await answerDirectly(c, router, '/trpc', hooks, {});
      return response ?? c.text('handed back', 200, { 'x-handed-back': 'yes' });
    });
    const response = await app.request(`http://t.test/trpc/${path}`, init);
    return response.headers.get('x-handed-back') === 'yes'
      ? 'handed back'
      : { status: response.status, body: await response.json() };
  }
  const post = (body: string): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

  it('answers a query by GET and a mutation by POST, alone or batched, in tRPC’s shapes', async () => {
    expect(await answer(`echo?input=${encodeURIComponent('{"n":4}')}`)).toEqual({
      status: 200,
      body: { result: { data: 4 } },
    });
    expect(await answer('add', post('41'))).toEqual({
      status: 200,
      body: { result: { data: 42 } },
    });
    expect(await answer('add,add?batch=1', post('{"0":1,"1":2}'))).toEqual({
      status: 200,
      body: [{ result: { data: 2 } }, { result: { data: 3 } }],
    });
  });

  it('answers failures with the error shape and status, 207 for a mixed batch', async () => {
    const mixed = await answer(`echo,fails?batch=1&input=${encodeURIComponent('{"0":{"n":1}}')}`);
    expect(mixed).toMatchObject({
      status: 207,
      body: [{ result: { data: 1 } }, { error: { data: { code: 'FORBIDDEN', httpStatus: 403 } } }],
    });
    expect(await answer(`echo?input=${encodeURIComponent('{"n":"x"}')}`)).toMatchObject({
      status: 400,
      body: { error: { data: { code: 'BAD_REQUEST' } } },
    });
  });

  it('hands back every other shape, for tRPC to answer its own way', async () => {
    const shapes: Array<[string, RequestInit?]> = [
      ['echo', { method: 'HEAD' }],
      ['echo', { headers: { 'trpc-accept': 'application/jsonl' } }],
      ['echo', { headers: { accept: 'text/event-stream' } }],
      ['nothing-here'],
      ['add'], // a mutation by GET
      ['echo', post('{"n":1}')], // a query by POST
      ['ec%68o'],
      ['echo/'],
      ['echo?connectionParams=%7B%7D'],
      ['echo?input=%7Bnot%20json'],
      ['add', post('{not json')],
      ['add,add?batch=1', post('[1,2]')],
      ['echo,add?batch=1'],
    ];
    for (const [path, init] of shapes) {
      expect({ path, init, answer: await answer(path, init) }).toEqual({
        path,
        init,
        answer: 'handed back',
      });
    }
  });
});

describe('the direct path and tRPC’s adapter answer alike, for every procedure', () => {
  let t: TestApp;
  let viaAdapter: ReturnType<typeof createApp>;
  let accessToken: string;
  beforeAll(async () => {
    t = await createTestApp();
    viaAdapter = createApp(t.deps, { directCalls: false });
    ({ accessToken } = await registerAccount(t));
  });

  /** What a client can observe, without what differs per request (ids, clocks). */
  async function observe(response: Response) {
    const text = await response.text();
    const vary = (response.headers.get('vary') ?? '').split(',').map((name) => name.trim());
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      vary: vary.sort(),
      retryAfter: response.headers.get('retry-after'),
      cookies: response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]),
      requestId: response.headers.get('x-request-id') !== null,
      body: shapeOf(JSON.parse(text)),
    };
  }

  async function both(path: string, init: RequestInit) {
    const url = `http://tollbooth.test/trpc/${path}`;
    const direct = await observe(await t.app.request(url, init));
    const adapter = await observe(await viaAdapter.request(url, init));
    return { direct, adapter };
  }

  it.each(PROCEDURES.map((entry) => [entry.path, entry]))(
    '%s: anonymous, garbage input, batched, and (for queries) signed in',
    async (_path, entry) => {
      const garbage = { '\u0000': [null, -1e308], nested: { deep: true } };
      const requests: Array<[string, RequestInit]> = [];
      const send = (path: string, input: unknown, headers: Record<string, string> = {}) => {
        const json = input === undefined ? undefined : JSON.stringify(input);
        if (entry.type === 'query') {
          const query =
            json === undefined
              ? ''
              : `${path.includes('?') ? '&' : '?'}input=${encodeURIComponent(json)}`;
          requests.push([`${path}${query}`, { headers }]);
        } else {
          requests.push([
            path,
            {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headers },
              body: json,
            },
          ]);
        }
      };
      send(entry.path, undefined);
      send(entry.path, garbage);
      send(`${entry.path},${entry.path}?batch=1`, { 0: garbage, 1: 'x' });
      // Signed-in calls may have effects when they succeed: only queries, which have none.
      if (entry.type === 'query') {
        send(entry.path, garbage, { authorization: `Bearer ${accessToken}` });
        send(entry.path, undefined, { authorization: `Bearer ${accessToken}` });
      }
      for (const [path, init] of requests) {
        const { direct, adapter } = await both(path, init);
        expect({ path, ...direct }).toEqual({ path, ...adapter });
        expect(direct.status).toBeLessThan(500);
      }
    },
  );
});

/**
 * A body with what varies between two identical calls taken out: request ids, and the
 * values (not the keys or types) of a successful result, which may hold times and counters.
 */
function shapeOf(value: unknown, inResult = false): unknown {
  if (Array.isArray(value)) return value.map((item) => shapeOf(item, inResult));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        if (key === 'requestId') return [key, typeof item];
        return [key, shapeOf(item, inResult || key === 'result')];
      }),
    );
  }
  return inResult ? typeof value : value;
}
