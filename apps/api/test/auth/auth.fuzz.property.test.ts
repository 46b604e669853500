import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { APP_CODES } from '../../src/errors/app-codes';
import { appRouter } from '../../src/trpc/root';
import { createTestApp, type TestApp } from '../harness';
import { registerAccount } from '../support/accounts';
import { listProcedures, type ProcedureEntry } from '../support/procedures';

/** Every procedure of the app, walked from appRouter: a new one is fuzzed without a list edit. */
const PROCEDURES = listProcedures(appRouter);

/** The procedure's zod input schemas; tRPC accepts a raw input only when every one does. */
function inputSchemas(entry: ProcedureEntry): z.ZodType[] {
  return entry.procedure._def.inputs.map((parser) => {
    if (!(parser instanceof z.ZodType)) throw new Error(`${entry.path}: input is not a zod schema`);
    return parser;
  });
}

/** The field names an input schema knows, so random values land where parsing looks. */
function fieldsOf(schema: unknown): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return fieldsOf(schema.unwrap());
  }
  if (schema instanceof z.ZodUnion) return [...new Set(schema.options.flatMap(fieldsOf))];
  return [];
}

/** Whether the procedure's own schemas accept this raw input (the oracle for "garbage"). */
async function accepts(schemas: z.ZodType[], raw: unknown): Promise<boolean> {
  for (const schema of schemas) {
    if (!(await schema.safeParseAsync(raw)).success) return false;
  }
  return true;
}

/** What every error on the wire must look like: a tRPC error carrying a known appCode. */
const ZShapedError = z.object({
  error: z.object({
    message: z.string(),
    code: z.number(),
    data: z.looseObject({
      code: z.string(),
      httpStatus: z.number(),
      appCode: z.string().refine((code) => Object.hasOwn(APP_CODES, code), 'unknown appCode'),
      fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
    }),
  }),
});

const nastyString = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a@b',
    'x'.repeat(5000),
    "' OR 1=1 --",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal injection payload, on purpose
    '${jndi:ldap://x}',
    '00000000-0000-0000-0000-000000000000.AAAA',
    'Bearer',
    '<script>',
    '%00',
    '../../etc/passwd',
  ),
);
const value = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);

function inputFor(fields: string[]) {
  return fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fields.length > 0
      ? fc.record(Object.fromEntries(fields.map((field) => [field, value])), { requiredKeys: [] })
      : fc.constant(undefined),
  );
}

/** Header values must be visible ASCII (fetch refuses anything else before it is sent). */
const headerString = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]{0,300}$/),
  fc.constantFrom('00000000-0000-0000-0000-000000000000.AAAA', 'a.b.c', '...', 'x'.repeat(5000)),
);

const authorization = fc.option(
  fc.oneof(
    headerString.map((token) => `Bearer ${token}`),
    headerString,
    fc.constant('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
  ),
  { nil: undefined },
);

/** A caller with a live session (so guarded procedures reach input parsing), or garbage. */
const caller = fc.oneof(
  authorization.map((header) => ({ signedIn: false as const, header })),
  fc.constant({ signedIn: true as const }),
);

/** One unbatched call as a client sends it; `raw` is the input tRPC will hand to the schemas. */
async function call(t: TestApp, entry: ProcedureEntry, input: unknown, auth: string | undefined) {
  const headers: Record<string, string> = auth === undefined ? {} : { authorization: auth };
  // JSON drops what it cannot carry (undefined fields, NaN), so the oracle reads what is sent.
  const encoded = input === undefined ? undefined : JSON.stringify(input);
  const raw: unknown = encoded === undefined ? undefined : JSON.parse(encoded);
  const url = `http://tollbooth.test/trpc/${entry.path}`;
  let response: Response;
  if (entry.type === 'query') {
    const query = encoded === undefined ? '' : `?${new URLSearchParams({ input: encoded })}`;
    response = await t.fetch(`${url}${query}`, { headers });
  } else if (entry.type === 'mutation') {
    response = await t.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: encoded,
    });
  } else {
    throw new Error(`${entry.path}: no fuzzing for ${entry.type} procedures yet`);
  }
  return { raw, status: response.status, text: await response.text() };
}

const RUNS_PER_PROCEDURE = 25;

/** Procedures for the product's backend only (serverProcedure): a user's token is refused. */
const SERVER_ONLY = new Set(['usage.record']);

describe('random input to every procedure', () => {
  it('walks every procedure of appRouter, nested routers included', () => {
    const paths = PROCEDURES.map((entry) => entry.path);

    expect(paths).toContain('system.info');
    expect(paths).toContain('auth.login');
    expect(paths).toContain('auth.sessions.revoke');
    expect(new Set(paths).size).toBe(paths.length);
  });

  it.each(PROCEDURES.map((entry) => [entry.path, entry] as const))(
    '%s refuses garbage with a 4xx tRPC error, never a 5xx',
    async (_path, entry) => {
      const schemas = inputSchemas(entry);
      const t = await createTestApp();
      // A real, signed-in caller too, so guarded procedures reach their input handling; an
      // admin, so admin-only procedures (billing.plans.create, …) do as well.
      const account = await registerAccount(t);
      await t.deps.db
        .updateTable('users')
        .set({ role: 'admin' })
        .where('id', '=', account.user.id)
        .execute();

      await fc.assert(
        fc.asyncProperty(inputFor(schemas.flatMap(fieldsOf)), caller, async (input, who) => {
          const auth = who.signedIn ? `Bearer ${account.accessToken}` : who.header;
          const { raw, status, text } = await call(t, entry, input, auth);

          expect(status, text).toBeLessThan(500);
          let outcome = `${status}`;
          if (status >= 400) {
            const { error } = ZShapedError.parse(JSON.parse(text));
            expect(error.data.httpStatus).toBe(status);
            outcome = `${status} ${error.data.appCode}`;
            if (error.data.appCode === 'VALIDATION_FAILED') {
              expect(error.data.fieldErrors, text).toBeDefined();
            }
          }
          // Input the procedure's own schema accepts may succeed or fail for domain reasons
          // (wrong password, unknown token); input it rejects never gets through. The guard
          // runs before parsing, so a guarded procedure called without a live token answers
          // 401 first; with one (or for a public procedure), validation answers 400.
          if (await accepts(schemas, raw)) return;
          const refusals = who.signedIn
            ? ['400 VALIDATION_FAILED']
            : ['400 VALIDATION_FAILED', '401 UNAUTHENTICATED'];
          // A server-only procedure refuses any bearer that is not an API key before parsing.
          if (SERVER_ONLY.has(entry.path)) refusals.push('403 API_KEY_REQUIRED');
          expect(refusals, text).toContain(outcome);
        }),
        { numRuns: RUNS_PER_PROCEDURE },
      );
      // The caller's password was never changed by garbage: the account still signs in.
      await t.client().auth.login.mutate({ email: account.email, password: account.password });
    },
  );

  it('answers a POST without a JSON content type with 415, not 500', async () => {
    const t = await createTestApp();

    const response = await t.fetch('http://tollbooth.test/trpc/auth.login', {
      method: 'POST',
      body: '{"email":"a@example.test","password":"whatever1"}',
    });

    expect(response.status).toBe(415);
    expect(t.logs.lines.join('\n')).not.toContain('procedure failed');
  });
});
