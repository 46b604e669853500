/**
 * Login CSRF through the OAuth exchange code: an attacker who completes a flow for his own
 * account must not be able to plant the resulting code in a victim's browser and have the
 * victim's app sign in as him. The code is bound to the verifier of the browser (app) that
 * started the flow.
 */
import { describe, expect, it } from 'vitest';
import { createTestApp, readErrorEnvelope } from '../harness';
import { failure, newEmail } from '../support/accounts';
import { startFakeGitHub } from '../support/fake-github';
import { codeFrom, newVerifier, signInThroughProvider, startFlow } from '../support/oauth-browser';

async function setup() {
  const github = await startFakeGitHub();
  const email = newEmail('attacker');
  github.setAccount({
    id: 7007,
    name: 'Mallory',
    emails: [{ email, primary: true, verified: true }],
  });
  const t = await createTestApp({
    env: {
      APP_URL: 'https://app.example.com',
      ...github.env,
    },
  });
  return { t, email };
}

describe('OAuth exchange code bound to the browser that started the flow', () => {
  it('is accepted with the verifier of the browser that started the flow', async () => {
    const { t, email } = await setup();

    const { location, verifier } = await signInThroughProvider(t, 'github');
    const session = await t
      .client()
      .auth.exchangeOAuthCode.mutate({ code: codeFrom(location), verifier });

    expect(session.user.email).toBe(email);
  });

  it('is refused without a verifier, and that use burns the code', async () => {
    const { t } = await setup();
    const { location, verifier } = await signInThroughProvider(t, 'github');
    const code = codeFrom(location);

    const refused = await failure(t.client().auth.exchangeOAuthCode.mutate({ code }));

    expect(refused).toMatchObject({ code: 'BAD_REQUEST', appCode: 'INVALID_TOKEN' });
    const later = await failure(t.client().auth.exchangeOAuthCode.mutate({ code, verifier }));
    expect(later.appCode).toBe('INVALID_TOKEN');
  });

  it("is refused with another flow's verifier (the attacker's code planted in the victim's browser), burned and audited", async () => {
    const { t } = await setup();
    // The attacker signs in to his own account and stops before the exchange.
    const attacker = await signInThroughProvider(t, 'github');
    const planted = codeFrom(attacker.location);
    // The victim's app started a flow of its own and kept its verifier.
    const victimVerifier = newVerifier();
    expect((await startFlow(t, 'github', { verifier: victimVerifier })).start.status).toBe(302);

    const refused = await failure(
      t.client().auth.exchangeOAuthCode.mutate({ code: planted, verifier: victimVerifier }),
    );

    expect(refused.appCode).toBe('INVALID_TOKEN');
    expect(await t.deps.db.selectFrom('sessions').select('id').execute()).toEqual([]);
    const burned = await failure(
      t.client().auth.exchangeOAuthCode.mutate({ code: planted, verifier: attacker.verifier }),
    );
    expect(burned.appCode).toBe('INVALID_TOKEN');
    const audit = await t.deps.db
      .selectFrom('audit_log')
      .select(['status', 'metadata'])
      .where('event_type', '=', 'auth.oauth_exchange_refused')
      .execute();
    expect(audit).toEqual([{ status: 'failure', metadata: { reason: 'verifier_mismatch' } }]);
  });

  it('stores only the hash of the binding, never the verifier', async () => {
    const { t } = await setup();

    const { verifier } = await signInThroughProvider(t, 'github');

    const rows = await t.deps.db
      .selectFrom('one_time_secrets')
      .selectAll()
      .where('purpose', '=', 'oauth_exchange')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.binding_hash).toHaveLength(32);
    expect(JSON.stringify(rows)).not.toContain(verifier);
  });

  it.each([
    ['without a code_challenge', null],
    ['with a malformed code_challenge', 'too-short'],
  ])('refuses to start a flow %s', async (_label, challenge) => {
    const { t } = await setup();
    const url = new URL('http://tollbooth.test/auth/oauth/github/start');
    if (challenge) url.searchParams.set('code_challenge', challenge);

    const response = await t.fetch(url);

    expect(response.status).toBe(400);
    const { error } = await readErrorEnvelope(response);
    expect(error.appCode).toBe('VALIDATION_FAILED');
    expect(error.fieldErrors?.code_challenge).toEqual([expect.any(String)]);
  });
});
