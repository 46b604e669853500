import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../src/errors/app-error';
import { publicProcedure, router } from '../src/trpc/procedures';
import { appRouter } from '../src/trpc/root';
import { createTestApp, readTrpcError } from './harness';

/**
 * The transport's error contract, exercised on procedures built like real ones. (The real
 * routers' own validation is tested with them; here the point is what leaves the server.)
 */
const testRouter = router({
  app: appRouter,
  probe: router({
    echo: publicProcedure
      .input(
        z.object({
          email: z.email(),
          age: z.number().int().min(18),
          tags: z.array(z.string().min(1)).optional(),
        }),
      )
      .mutation(({ input }) => input),
    // A schema with a bug of its own: its refinement throws on input it should report.
    brokenSchema: publicProcedure
      .input(
        z.object({ at: z.string() }).refine((input) => {
          throw new TypeError(`input.at.getTime is not a function (${input.at})`);
        }),
      )
      .mutation(({ input }) => input),
    explode: publicProcedure.mutation(() => {
      throw new Error(
        'connection to 10.0.0.5 failed: password authentication failed for user "admin"',
      );
    }),
    expected: publicProcedure.mutation(() => {
      throw new AppError('FORBIDDEN', 'Admins only');
    }),
    sqlFailure: publicProcedure.query(async ({ ctx }) => {
      await sql`select * from no_such_table`.execute(ctx.deps.db);
      return null;
    }),
  }),
});

async function post(
  app: Awaited<ReturnType<typeof createTestApp>>['app'],
  path: string,
  body: unknown,
) {
  const response = await app.request(`/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('tRPC errors on the wire', () => {
  it('answers malformed input with BAD_REQUEST, VALIDATION_FAILED and per-field messages', async () => {
    const { app } = await createTestApp({ router: testRouter });

    const { status, text } = await post(app, 'probe.echo', {
      email: 'not-an-email',
      age: 12,
      tags: [''],
    });

    expect(status).toBe(400);
    const { error } = JSON.parse(text);
    expect(error.message).toBe('Invalid input');
    expect(error.data).toMatchObject({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      appCode: 'VALIDATION_FAILED',
      path: 'probe.echo',
      requestId: 'req-1',
    });
    expect(Object.keys(error.data.fieldErrors).sort()).toEqual(['age', 'email', 'tags.0']);
    expect(error.data.fieldErrors.email[0]).toMatch(/email/i);
    expect(text).not.toMatch(/stack|at .*\.ts:\d+|node_modules/);
  });

  it('answers input of the wrong shape entirely with a root field error', async () => {
    const { app } = await createTestApp({ router: testRouter });

    const { status, text } = await post(app, 'probe.echo', 'just a string');

    expect(status).toBe(400);
    expect(JSON.parse(text).error.data.fieldErrors).toHaveProperty('_root');
  });

  it('answers unparseable JSON with BAD_REQUEST and MALFORMED_REQUEST', async () => {
    const { app } = await createTestApp({ router: testRouter });

    const response = await app.request('/trpc/probe.echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });

    expect(response.status).toBe(400);
    const { error } = await readTrpcError(response);
    expect(error.data.appCode).toBe('MALFORMED_REQUEST');
  });

  it('scrubs an unexpected error: generic message, no stack, details only in the server log', async () => {
    const { app, logs } = await createTestApp({ router: testRouter });

    const { status, text } = await post(app, 'probe.explode', {});

    expect(status).toBe(500);
    const { error } = JSON.parse(text);
    expect(error.message).toBe('Internal server error');
    expect(error.data).toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      appCode: 'INTERNAL',
      requestId: 'req-1',
    });
    expect(error.data).not.toHaveProperty('stack');
    expect(text).not.toMatch(/10\.0\.0\.5|password|stack/);
    const logged = logs.entries().find((entry) => entry.msg === 'procedure failed');
    expect(logged).toMatchObject({ requestId: 'req-1', path: 'probe.explode' });
    expect(JSON.stringify(logged)).toMatch(/10\.0\.0\.5/);
  });

  it("answers input a schema throws on with MALFORMED_REQUEST, never the exception's message", async () => {
    const { app } = await createTestApp({ router: testRouter });

    const { status, text } = await post(app, 'probe.brokenSchema', { at: 'noon' });

    expect(status).toBe(400);
    const { error } = JSON.parse(text);
    expect(error.message).toBe('Invalid input');
    expect(error.data.appCode).toBe('MALFORMED_REQUEST');
    expect(text).not.toMatch(/getTime|noon/);
  });

  it('never sends SQL or database messages to the client', async () => {
    const { app } = await createTestApp({ router: testRouter });

    const response = await app.request('/trpc/probe.sqlFailure');
    const text = await response.text();

    expect(response.status).toBe(500);
    expect(text).not.toMatch(/no_such_table|select|relation/i);
  });

  it('keeps the message and code of an expected AppError', async () => {
    const { app } = await createTestApp({ router: testRouter });

    const { status, text } = await post(app, 'probe.expected', {});

    expect(status).toBe(403);
    expect(JSON.parse(text).error).toMatchObject({
      message: 'Admins only',
      data: { code: 'FORBIDDEN', appCode: 'FORBIDDEN' },
    });
  });

  it('gives a typed client the appCode on TRPCClientError.data', async () => {
    const { app } = await createTestApp({ router: testRouter });
    const client = createTRPCClient<typeof testRouter>({
      links: [
        httpLink({
          url: 'http://tollbooth.test/trpc',
          fetch: async (input, init) => app.request(String(input), init),
        }),
      ],
    });

    const error = await client.probe.expected.mutate().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error instanceof TRPCClientError && error.data.appCode).toBe('FORBIDDEN');
  });

  it('answers an unknown procedure with NOT_FOUND', async () => {
    const { app } = await createTestApp();

    const response = await app.request('/trpc/system.nope');

    expect(response.status).toBe(404);
    expect((await readTrpcError(response)).error.data.appCode).toBe('NOT_FOUND');
  });
});
