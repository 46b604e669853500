import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { registerAccount } from '../support/accounts';

/** Every auth procedure with the field names its input uses (random values go there). */
const MUTATIONS: Record<string, string[]> = {
  'auth.register': ['email', 'password', 'name', 'cookie'],
  'auth.login': ['email', 'password', 'cookie'],
  'auth.refresh': ['refreshToken', 'cookie'],
  'auth.logout': [],
  'auth.updateProfile': ['name', 'imageUrl'],
  'auth.changePassword': ['currentPassword', 'newPassword'],
  'auth.deactivate': ['password'],
  'auth.requestEmailVerification': [],
  'auth.verifyEmail': ['token'],
  'auth.requestPasswordReset': ['email'],
  'auth.resetPassword': ['token', 'newPassword'],
  'auth.requestLoginCode': ['email'],
  'auth.loginWithCode': ['email', 'code', 'cookie'],
  'auth.requestMagicLink': ['email'],
  'auth.loginWithMagicLink': ['token', 'cookie'],
  'auth.exchangeOAuthCode': ['code', 'cookie'],
  'auth.sessions.revoke': ['sessionId', 'allButCurrent'],
};
const QUERIES = ['auth.me', 'auth.sessions.list'];

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

const RUNS_PER_PROCEDURE = 25;

describe('random input to every auth procedure', () => {
  it.each(Object.entries(MUTATIONS))(
    '%s answers only 4xx to garbage',
    async (procedure, fields) => {
      const t = await createTestApp();
      // A real, signed-in caller too, so guarded procedures reach their input handling.
      const account = await registerAccount(t);

      await fc.assert(
        fc.asyncProperty(
          inputFor(fields),
          fc.oneof(authorization, fc.constant(`Bearer ${account.accessToken}`)),
          async (input, auth) => {
            const response = await t.fetch(`http://tollbooth.test/trpc/${procedure}`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                ...(auth !== undefined && { authorization: auth }),
              },
              body: JSON.stringify(input ?? null),
            });
            const text = await response.text();
            if (response.status >= 500) throw new Error(`${response.status}: ${text}`);
            // Garbage is never accepted as a successful call of a guarded or parsing procedure,
            // except when it happens to be valid (e.g. a real email for requestLoginCode).
            expect(response.status).toBeGreaterThanOrEqual(200);
          },
        ),
        { numRuns: RUNS_PER_PROCEDURE },
      );
      // The caller's password was never changed by garbage: the account still signs in.
      await t.client().auth.login.mutate({ email: account.email, password: account.password });
    },
  );

  it.each(QUERIES)('%s answers only 4xx to garbage tokens and inputs', async (procedure) => {
    const t = await createTestApp();

    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 2 }), authorization, async (input, auth) => {
        const query = new URLSearchParams({ input: JSON.stringify(input) });
        const response = await t.fetch(`http://tollbooth.test/trpc/${procedure}?${query}`, {
          headers: auth !== undefined ? { authorization: auth } : {},
        });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: RUNS_PER_PROCEDURE },
    );
  });

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
