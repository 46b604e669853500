import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase } from '@tollbooth/db/vitest';
import { describe, expect, it } from 'vitest';
import { adminProcedure, protectedProcedure, router } from '../../src/trpc/procedures';
import { appRouter } from '../../src/trpc/root';
import { createTestApp, type TestApp } from '../harness';
import { newEmail, registerAccount } from '../support/accounts';
import { readTrpcBody } from '../support/http';
import { listProcedures, type ProcedureEntry } from '../support/procedures';
import { startTestSmtp, tokenFromLink } from '../support/smtp';

const run = promisify(execFile);

/** The real router plus two probes guarded like real procedures would be. */
const guardedRouter = router({
  auth: appRouter.auth,
  probe: router({
    member: protectedProcedure.query(({ ctx }) => ({ userId: ctx.caller.user.id })),
    admin: adminProcedure.query(() => 'secret admin data'),
  }),
});

describe('procedure guards', () => {
  it('protectedProcedure answers 401 UNAUTHENTICATED without a token and passes the caller with one', async () => {
    const t = await createTestApp({ router: guardedRouter });
    const account = await registerAccount(t);

    const anonymous = await t.fetch('http://tollbooth.test/trpc/probe.member');
    expect(anonymous.status).toBe(401);

    const ok = await t.fetch('http://tollbooth.test/trpc/probe.member', {
      headers: { authorization: `Bearer ${account.accessToken}` },
    });
    expect((await readTrpcBody(ok)).result?.data).toEqual({ userId: account.user.id });
  });

  it('adminProcedure answers 403 FORBIDDEN to a signed-in user who is not an admin', async () => {
    const t = await createTestApp({ router: guardedRouter });
    const account = await registerAccount(t);

    const response = await t.fetch('http://tollbooth.test/trpc/probe.admin', {
      headers: { authorization: `Bearer ${account.accessToken}` },
    });

    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('secret admin data');
  });

  it('gives a listed ADMIN_EMAILS address no admin rights at registration, only once its mailbox is verified (audited)', async () => {
    const smtp = await startTestSmtp();
    const boss = newEmail('boss');
    const t = await createTestApp({
      router: guardedRouter,
      env: { ADMIN_EMAILS: boss.toUpperCase(), SMTP_URL: smtp.url },
    });
    const probeAdmin = () =>
      t.fetch('http://tollbooth.test/trpc/probe.admin', {
        headers: { authorization: `Bearer ${registered.accessToken}` },
      });

    const registered = await registerAccount(t, { email: boss });
    expect(registered.user.role).toBe('user');
    expect((await probeAdmin()).status).toBe(403);

    await t.drainJobs();
    await t.client().auth.verifyEmail.mutate({ token: tokenFromLink(smtp.latest(boss)) });

    expect((await probeAdmin()).status).toBe(200);
    const promotions = await t.deps.db
      .selectFrom('audit_log')
      .select(['user_id', 'metadata'])
      .where('event_type', '=', 'auth.admin_promoted')
      .execute();
    expect(promotions).toEqual([
      { user_id: registered.user.id, metadata: { via: 'email_verification' } },
    ]);
  });

  it('promotes an existing account with `pnpm admin:promote <email>`', async () => {
    const databaseUrl = await createTestDatabase();
    const t = await createTestApp({ databaseUrl, router: guardedRouter });
    const account = await registerAccount(t);
    const apiDir = fileURLToPath(new URL('../..', import.meta.url));

    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/scripts/promote-admin.ts', account.email],
      {
        cwd: apiDir,
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: databaseUrl },
      },
    );
    expect(stdout).toContain('is now an admin');

    const login = await t
      .client()
      .auth.login.mutate({ email: account.email, password: account.password });
    expect(login.user.role).toBe('admin');
    const unknown = await run(
      process.execPath,
      ['--import', 'tsx', 'src/scripts/promote-admin.ts', newEmail()],
      {
        cwd: apiDir,
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: databaseUrl },
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('No account') });
  });
});

/**
 * The reviewed list of procedures anyone may call without signing in. Every other procedure
 * of appRouter must refuse an anonymous caller: a new procedure is guarded unless someone
 * adds it here, in a change a reviewer sees.
 */
const PUBLIC_PROCEDURES: readonly string[] = [
  'system.info',
  'auth.register',
  'auth.login',
  'auth.refresh',
  'auth.verifyEmail',
  'auth.requestPasswordReset',
  'auth.resetPassword',
  'auth.requestLoginCode',
  'auth.loginWithCode',
  'auth.requestMagicLink',
  'auth.loginWithMagicLink',
  'auth.exchangeOAuthCode',
  // The catalog is what a pricing page shows before anyone signs in.
  'billing.plans.list',
  'billing.plans.get',
  // Credit packs are on the same pricing page.
  'credits.packs.list',
];

const PROCEDURES = listProcedures(appRouter);
const GUARDED = PROCEDURES.filter((entry) => !PUBLIC_PROCEDURES.includes(entry.path));

/** An anonymous call with an empty object as input, by the procedure's transport method. */
async function callAnonymously(t: TestApp, entry: ProcedureEntry) {
  const url = `http://tollbooth.test/trpc/${entry.path}`;
  const response =
    entry.type === 'query'
      ? await t.fetch(`${url}?${new URLSearchParams({ input: '{}' })}`)
      : await t.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
  // Only an error's body matters here (a success may be a list, e.g. billing.plans.list).
  const body = response.ok ? undefined : await readTrpcBody(response);
  return { status: response.status, appCode: body?.error?.data.appCode };
}

describe('every procedure of appRouter is guarded unless listed as public', () => {
  it('keeps no stale entry in the public list: each names a procedure that admits anonymous callers', async () => {
    const t = await createTestApp();
    const paths = PROCEDURES.map((entry) => entry.path);

    expect(PUBLIC_PROCEDURES.filter((path) => !paths.includes(path))).toEqual([]);
    expect(GUARDED.map((entry) => entry.path)).toContain('auth.sessions.revoke');
    for (const entry of PROCEDURES.filter((e) => PUBLIC_PROCEDURES.includes(e.path))) {
      // Public procedures may refuse bad input or credentials, but never for want of a token.
      expect({ path: entry.path, ...(await callAnonymously(t, entry)) }).not.toMatchObject({
        appCode: 'UNAUTHENTICATED',
      });
    }
  });

  it.each(GUARDED.map((entry) => [entry.path, entry] as const))(
    '%s answers 401 UNAUTHENTICATED without a token',
    async (_path, entry) => {
      const t = await createTestApp();

      expect(await callAnonymously(t, entry)).toEqual({ status: 401, appCode: 'UNAUTHENTICATED' });
    },
  );
});
