/**
 * What the worker runs. Each mail task creates its secret at send time (so no secret is ever
 * stored in the queue), renders the template and sends. A task that throws is retried by
 * graphile-worker with exponential backoff; a retry issues a fresh secret and retires the
 * unsent one.
 */
import type { Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import { deleteExpiredAuthRows } from '../auth/secrets.queries';
import { issueLoginCode, issueToken } from '../auth/secrets.service';
import { findUserByEmail, findUserById, normalizeEmail } from '../auth/users.queries';
import type { Deps } from '../deps';
import {
  APP_LINK_PATHS,
  addressed,
  appLink,
  loginCodeMail,
  magicLinkMail,
  oauthWelcomeMail,
  passwordChangedMail,
  passwordResetMail,
  verifyEmailMail,
} from '../mail/templates';
import type { JobName } from './queue';

export type TaskDeps = Pick<Deps, 'db' | 'mailer' | 'clock' | 'random' | 'config' | 'logger'>;

const ZUserPayload = z.object({ userId: z.uuid() });
const ZEmailPayload = z.object({ email: z.string().min(3).max(320) });

/** A task whose payload is checked at run time (the queue table is not trusted blindly). */
function task<Payload>(schema: z.ZodType<Payload>, run: (payload: Payload) => Promise<void>): Task {
  return async (payload) => run(schema.parse(payload));
}

export function createTaskList(deps: TaskDeps): TaskList {
  const { db, mailer, clock, random, config } = deps;
  const appUrl = config.appUrl;

  // Each payload schema matches its entry in JobPayloads (checked by `satisfies` below).
  const tasks = {
    send_email_verification: task(ZUserPayload, async ({ userId }) => {
      const user = await findUserById(db, userId);
      // Verified meanwhile, or gone: nothing to send.
      if (!user || user.email_verified_at || user.status !== 'active') return;
      const token = await db.transaction().execute((trx) =>
        issueToken(trx, {
          purpose: 'email_verification',
          email: user.email,
          userId: user.id,
          now: clock.now(),
          random,
        }),
      );
      const link = appLink(appUrl, APP_LINK_PATHS.verifyEmail, token);
      await mailer.send(addressed(user.email, verifyEmailMail(link)));
    }),

    send_password_reset: task(ZEmailPayload, async ({ email }) => {
      const user = await findUserByEmail(db, email);
      // Unknown or deactivated: send nothing. The API answered the same either way.
      if (user?.status !== 'active') return;
      const token = await db.transaction().execute((trx) =>
        issueToken(trx, {
          purpose: 'password_reset',
          email: user.email,
          userId: user.id,
          now: clock.now(),
          random,
        }),
      );
      const link = appLink(appUrl, APP_LINK_PATHS.resetPassword, token);
      await mailer.send(addressed(user.email, passwordResetMail(link)));
    }),

    send_login_code: task(ZEmailPayload, async ({ email }) => {
      const user = await findUserByEmail(db, email);
      if (user && user.status !== 'active') return;
      const address = user?.email ?? normalizeEmail(email);
      const code = await db.transaction().execute((trx) =>
        issueLoginCode(trx, {
          email: address,
          userId: user?.id ?? null,
          now: clock.now(),
          random,
        }),
      );
      await mailer.send(addressed(address, loginCodeMail(code)));
    }),

    send_magic_link: task(ZEmailPayload, async ({ email }) => {
      const user = await findUserByEmail(db, email);
      if (user && user.status !== 'active') return;
      const address = user?.email ?? normalizeEmail(email);
      const token = await db.transaction().execute((trx) =>
        issueToken(trx, {
          purpose: 'magic_link',
          email: address,
          userId: user?.id ?? null,
          now: clock.now(),
          random,
        }),
      );
      const link = appLink(appUrl, APP_LINK_PATHS.magicLink, token);
      await mailer.send(addressed(address, magicLinkMail(link)));
    }),

    send_password_changed: task(ZUserPayload, async ({ userId }) => {
      const user = await findUserById(db, userId);
      if (!user) return;
      await mailer.send(addressed(user.email, passwordChangedMail(appUrl)));
    }),

    send_oauth_welcome: task(
      z.object({ userId: z.uuid(), provider: z.string().min(1).max(32) }),
      async ({ userId, provider }) => {
        const user = await findUserById(db, userId);
        if (!user) return;
        await mailer.send(addressed(user.email, oauthWelcomeMail(provider, appUrl)));
      },
    ),

    cleanup_auth_rows: task(z.record(z.string(), z.unknown()), async () => {
      await deleteExpiredAuthRows(db, clock.now());
    }),
  } satisfies Record<JobName, Task>;
  return tasks;
}
