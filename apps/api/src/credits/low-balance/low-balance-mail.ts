/** The low-balance mail: queued by noteLowBalance, sent by the worker to the current address. */
import { z } from 'zod';
import { findUserById } from '../../auth/users.queries';
import type { Deps } from '../../deps';
import { addressed, layout, type Rendered, text } from '../../mail/templates';
import type { CreditsLowPayload } from './low-balance';

export const ZCreditsLowPayload = z.object({
  userId: z.uuid(),
  balance: z.number().int().nonnegative(),
  threshold: z.number().int().positive(),
}) satisfies z.ZodType<CreditsLowPayload>;

/** The frontend page where a user buys credits. */
export const CREDITS_APP_PATH = '/billing';

export function creditsLowMail(payload: CreditsLowPayload, appUrl: string): Rendered {
  const url = `${appUrl}${CREDITS_APP_PATH}`;
  const credits = (count: number) =>
    `${count.toLocaleString('en-US')} credit${count === 1 ? '' : 's'}`;
  const lines = [
    `Your Tollbooth balance is down to ${credits(payload.balance)}, below ${credits(payload.threshold)}.`,
    'Top up before it runs out, so nothing you run is refused.',
  ];
  return {
    subject: `Your Tollbooth credits are running low (${credits(payload.balance)} left)`,
    text: text(lines, url),
    html: layout('Your credits are running low', lines, { label: 'Buy credits', url }),
  };
}

/** The job: nothing for a deactivated account. */
export async function sendCreditsLowMail(
  deps: Pick<Deps, 'db' | 'mailer' | 'config'>,
  payload: CreditsLowPayload,
): Promise<void> {
  const user = await findUserById(deps.db, payload.userId);
  if (user?.status !== 'active') return;
  await deps.mailer.send(addressed(user.email, creditsLowMail(payload, deps.config.appUrl)));
}
