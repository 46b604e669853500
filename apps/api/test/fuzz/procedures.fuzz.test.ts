/**
 * Every procedure of appRouter (walked from the router, never listed), called over the wire
 * with inputs derived from its own zod schema — valid ones, ones on the edges, near misses
 * and garbage — by each kind of caller: anonymous (no or forged credentials), a user, an
 * admin, and the product's backend with a server API key holding every scope.
 *
 * Whatever arrives: never a 5xx; every refusal is in the error contract (tRPC code, a known
 * appCode, per-field messages for invalid input, the request id) with no stack or SQL in it;
 * input the schema refuses never gets past validation; and a refused call changes no state
 * (a checksum of every table, and the job queue, before and after each call).
 *
 * Bounded for CI (well under 2 minutes on 2 busy cores). `FUZZ_RUNS=50` runs more per
 * procedure and caller; `FUZZ_SEED=n` replays a run (the seed is printed).
 */
import { startStripeEmulator } from '@tollbooth/stripe-emulator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_KEY_SCOPES } from '../../src/api-keys/api-keys.schemas';
import { APP_CODES, type AppCode } from '../../src/errors/app-codes';
import { appRouter } from '../../src/trpc/root';
import { seedOperationTypes } from '../../src/usage/operation-types';
import { stripeEnv } from '../billing/billing-testing';
import { createTestApp, type TestApp } from '../harness';
import { registerAccount } from '../support/accounts';
import { listProcedures, type ProcedureEntry } from '../support/procedures';
import { startTestSmtp } from '../support/smtp';
import {
  garbageArbitrary,
  type Hints,
  type JsonSchema,
  jsonSchemaOf,
  validArbitrary,
} from './schema-arbitraries';
import {
  changedTables,
  listStateTables,
  type StateChecksum,
  stateChecksum,
} from './state-checksum';

const PROCEDURES = listProcedures(appRouter);
const RUNS = Number(process.env.FUZZ_RUNS ?? 5);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);
const PROCEDURE_TIMEOUT_MS = 60_000 + RUNS * 4_000;

const ROLES = ['anonymous', 'user', 'admin', 'apiKey'] as const;
type Role = (typeof ROLES)[number];

/**
 * Refusals that may answer input the schema rejects: the guard runs before parsing, so a
 * caller it turns away never sees validation. Anything else means bad input got through.
 */
const REFUSALS_BEFORE_PARSING: readonly AppCode[] = [
  'UNAUTHENTICATED',
  'INVALID_API_KEY',
  'API_KEY_REQUIRED',
  'FORBIDDEN',
  'INSUFFICIENT_SCOPE',
];

const ZShapedError = z.object({
  error: z.object({
    message: z.string(),
    code: z.number(),
    data: z.looseObject({
      code: z.string(),
      httpStatus: z.number(),
      appCode: z.string().refine((code) => Object.hasOwn(APP_CODES, code), 'unknown appCode'),
      requestId: z.string(),
      fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
    }),
  }),
});

/** A stack frame, a source path, SQL or a driver's words: none may reach a client. */
const LEAKS =
  /\bat [\w.<>]+ \(|\.ts:\d+|node_modules|\bselect\b.+\bfrom\b|\binsert into\b|\bpostgres|\bsyntax error at\b|\brelation "|\bviolates\b/i;

/** Credentials no one was issued: absent, malformed, forged, or shaped like a server key. */
const forgedAuthorization = fc.option(
  fc.oneof(
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      `Bearer tb_sk_${'0'.repeat(16)}${'A'.repeat(43)}`,
      'Bearer tb_sk_',
    ),
    fc.stringMatching(/^[\x21-\x7e]{1,200}$/).map((token) => `Bearer ${token}`),
  ),
  { nil: undefined },
);

interface Account {
  id: string;
  email: string;
  password: string;
  accessToken: string;
}

interface World {
  t: TestApp;
  accounts: Record<'user' | 'admin', Account>;
  apiKey: string;
  hints: Hints;
  tables: string[];
  /** The state after the last call, so each call costs one checksum. */
  state: StateChecksum;
}

const figures = {
  calls: { anonymous: 0, user: 0, admin: 0, apiKey: 0 } satisfies Record<Role, number>,
  succeeded: 0,
  refusals: new Map<string, number>(),
  procedures: new Set<string>(),
};

let world: World;

async function promote(t: TestApp, id: string) {
  await t.deps.db.updateTable('users').set({ role: 'admin' }).where('id', '=', id).execute();
}

async function newAccount(t: TestApp, role: 'user' | 'admin'): Promise<Account> {
  const account = await registerAccount(t, { name: `fuzz ${role}` });
  if (role === 'admin') await promote(t, account.user.id);
  return { id: account.user.id, ...account };
}

beforeAll(async () => {
  // Real neighbours: billing calls reach a Stripe emulator, mail (when jobs run) real SMTP.
  const emulator = await startStripeEmulator();
  afterAll(() => emulator.stop());
  const smtp = await startTestSmtp();
  const t = await createTestApp({
    env: { ...stripeEnv(emulator, emulator.url), SMTP_URL: smtp.url },
  });
  await seedOperationTypes(t.deps.db);
  const user = await newAccount(t, 'user');
  const admin = await newAccount(t, 'admin');
  const adminClient = t.client({ accessToken: admin.accessToken });
  const { key } = await adminClient.admin.apiKeys.create.mutate({
    name: 'fuzz backend',
    scopes: [...API_KEY_SCOPES],
  });
  // Things that exist, so valid-looking input can succeed: credits to spend, a synced plan.
  await adminClient.admin.credits.grant.mutate({
    userId: user.id,
    amount: 1_000_000,
    reason: 'fuzz',
    idempotencyKey: 'fuzz-grant',
  });
  await adminClient.billing.plans.create.mutate({
    code: 'fuzz-pro',
    name: 'Fuzz Pro',
    priceCents: 1_900,
    includedOperations: 1_000,
  });
  await t.drainJobs();

  const codes = await Promise.all([
    t.deps.db.selectFrom('plans').select('code').execute(),
    t.deps.db.selectFrom('operation_types').select('code').execute(),
    t.deps.db.selectFrom('credit_packs').select('code').execute(),
  ]);
  const hints: Hints = {
    strings: [...codes.flat().map((row) => row.code), `${t.config.appUrl}/fuzz/done`],
    uuids: [user.id, admin.id],
  };
  const tables = await listStateTables(t);
  world = {
    t,
    accounts: { user, admin },
    apiKey: key,
    hints,
    tables,
    state: await stateChecksum(t, tables),
  };
});

afterAll(() => {
  const refusals = [...figures.refusals.entries()].sort(([, a], [, b]) => b - a);
  const lines = [
    `procedures fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays), ${RUNS} runs per procedure and caller`,
    `  procedures covered: ${figures.procedures.size} of ${PROCEDURES.length}`,
    `  calls per caller: ${ROLES.map((role) => `${role} ${figures.calls[role]}`).join(', ')}`,
    `  succeeded: ${figures.succeeded}; refused by code:`,
    ...refusals.map(([outcome, count]) => `    ${outcome}: ${count}`),
  ];
  console.log(lines.join('\n'));
});

/** The procedure's zod input schemas; tRPC accepts a raw input only when every one does. */
function inputSchemas(entry: ProcedureEntry): z.ZodType[] {
  return entry.procedure._def.inputs.map((parser) => {
    if (!(parser instanceof z.ZodType)) throw new Error(`${entry.path}: input is not a zod schema`);
    return parser;
  });
}

/** Whether the procedure's own schemas accept this raw input (the oracle for "garbage"). */
async function accepts(entry: ProcedureEntry, raw: unknown): Promise<boolean> {
  for (const schema of inputSchemas(entry)) {
    // A schema that throws instead of reporting issues is a bug of its own (the server then
    // answers without field messages): say so rather than fail somewhere obscure.
    const parsed = await schema.safeParseAsync(raw).catch((error: unknown) => {
      throw new Error(`${entry.path}: its input schema throws on ${JSON.stringify(raw)}`, {
        cause: error,
      });
    });
    if (!parsed.success) return false;
  }
  return true;
}

/** Inputs for a procedure: mostly derived from its schema, a third garbage. */
function inputArbitrary(schemas: z.ZodType[], hints: Hints): fc.Arbitrary<unknown> {
  const [first] = schemas;
  if (!first) return fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }));
  // Chained .input() calls merge objects; their JSON Schemas do too.
  const merged: JsonSchema = { ...jsonSchemaOf(first), properties: {}, required: [] };
  for (const schema of schemas.map(jsonSchemaOf)) {
    Object.assign(merged, { ...schema, properties: merged.properties, required: merged.required });
    Object.assign(merged.properties ?? {}, schema.properties);
    merged.required?.push(...(schema.required ?? []));
  }
  return fc.oneof(
    { arbitrary: validArbitrary(merged, hints), weight: 2 },
    { arbitrary: garbageArbitrary(merged, hints), weight: 1 },
  );
}

function authorizationFor(role: Role, forged: string | undefined): string | undefined {
  if (role === 'anonymous') return forged;
  if (role === 'apiKey') return `Bearer ${world.apiKey}`;
  return `Bearer ${world.accounts[role].accessToken}`;
}

/** One unbatched call as a client sends it; `raw` is what tRPC hands to the schemas. */
async function call(entry: ProcedureEntry, input: unknown, authorization: string | undefined) {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  // JSON drops what it cannot carry (undefined fields, NaN), so the oracle reads what is sent.
  const encoded = input === undefined ? undefined : JSON.stringify(input);
  const raw: unknown = encoded === undefined ? undefined : JSON.parse(encoded);
  const url = `http://tollbooth.test/trpc/${entry.path}`;
  let response: Response;
  if (entry.type === 'query') {
    const query = encoded === undefined ? '' : `?${new URLSearchParams({ input: encoded })}`;
    response = await world.t.fetch(`${url}${query}`, { headers });
  } else if (entry.type === 'mutation') {
    response = await world.t.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: encoded,
    });
  } else {
    throw new Error(`${entry.path}: no fuzzing for ${entry.type} procedures yet`);
  }
  return { raw, status: response.status, text: await response.text() };
}

/**
 * A successful call may end the caller's own session (auth.logout, a revoke of all
 * sessions): sign in again, or make a fresh account if this one can no longer sign in.
 */
async function keepSignedIn(role: 'user' | 'admin') {
  const account = world.accounts[role];
  const me = await world.t.fetch('http://tollbooth.test/trpc/auth.me', {
    headers: { authorization: `Bearer ${account.accessToken}` },
  });
  if (me.ok) return;
  try {
    const signedIn = await world.t
      .client()
      .auth.login.mutate({ email: account.email, password: account.password });
    world.accounts[role] = { ...account, accessToken: signedIn.accessToken };
  } catch {
    world.accounts[role] = await newAccount(world.t, role);
  }
  world.state = await stateChecksum(world.t, world.tables);
}

describe('every procedure, every caller, valid and garbage input', () => {
  it('walks every procedure of appRouter, nested routers included', () => {
    const paths = PROCEDURES.map((entry) => entry.path);

    expect(paths).toContain('auth.sessions.revoke');
    expect(paths).toContain('admin.usage.operationTypes.create');
    expect(new Set(paths).size).toBe(paths.length);
  });

  it.each(PROCEDURES.map((entry, index) => [entry.path, entry, index] as const))(
    '%s: no 5xx, the error contract, no state change when refused',
    async (_path, entry, index) => {
      const schemas = inputSchemas(entry);
      const caller = fc.record({
        role: fc.constantFrom(...ROLES),
        forged: forgedAuthorization,
      });

      await fc.assert(
        fc.asyncProperty(inputArbitrary(schemas, world.hints), caller, async (input, who) => {
          const authorization = authorizationFor(who.role, who.forged);
          const { raw, status, text } = await call(entry, input, authorization);
          const after = await stateChecksum(world.t, world.tables);
          const before = world.state;
          world.state = after;
          figures.calls[who.role]++;
          figures.procedures.add(entry.path);

          expect(status, text).toBeLessThan(500);
          if (status < 400) {
            figures.succeeded++;
            if (who.role === 'user' || who.role === 'admin') await keepSignedIn(who.role);
            expect(await accepts(entry, raw), `accepted what its schema refuses: ${text}`).toBe(
              true,
            );
            return;
          }
          expect(text).not.toMatch(LEAKS);
          const { error } = ZShapedError.parse(JSON.parse(text));
          const outcome = `${status} ${error.data.appCode}`;
          figures.refusals.set(outcome, (figures.refusals.get(outcome) ?? 0) + 1);
          expect(error.data.httpStatus).toBe(status);
          // Each appCode has its one tRPC code (errors/app-codes.ts).
          const transport = Object.entries(APP_CODES).find(([code]) => code === error.data.appCode);
          expect(transport?.[1]).toBe(error.data.code);
          if (error.data.appCode === 'VALIDATION_FAILED') {
            expect(error.data.fieldErrors, text).toBeDefined();
          }
          expect(changedTables(before, after), `${entry.path} refused (${outcome})`).toEqual([]);
          if (!(await accepts(entry, raw))) {
            expect([...REFUSALS_BEFORE_PARSING, 'VALIDATION_FAILED'], text).toContain(
              error.data.appCode,
            );
          }
        }),
        { numRuns: RUNS * ROLES.length, seed: SEED + index },
      );
    },
    // Generous: a timed-out property keeps calling in the background and would disturb the
    // next procedure's state checks. A sign-in after each successful logout costs an argon2.
    PROCEDURE_TIMEOUT_MS,
  );
});
