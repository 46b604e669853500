/**
 * The URLs Stripe sends a browser back to (checkout success and cancel, the portal's
 * return): APP_URL pages by default, and only APP_URL's origin or ALLOWED_ORIGINS otherwise
 * (lib/allowed-redirect.ts, the same check OAuth's redirect_to gets), so a crafted link
 * cannot hand a paying customer to a look-alike site.
 */
import type { Deps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { allowedRedirect } from '../../lib/allowed-redirect';

/** Stripe fills `{CHECKOUT_SESSION_ID}` in; the frontend's success page can look it up. */
export const DEFAULT_SUCCESS_PATH = '/billing/success?session_id={CHECKOUT_SESSION_ID}';
export const DEFAULT_BILLING_PATH = '/billing';

/** The frontend page at `path` under APP_URL (which may itself have a base path). */
export function appPage(config: Pick<Deps['config'], 'appUrl'>, path: string): string {
  return `${config.appUrl.replace(/\/+$/, '')}${path}`;
}

/** The given URL if allowed (REDIRECT_NOT_ALLOWED naming `field` otherwise), else the default. */
export function billingRedirect(
  config: Pick<Deps['config'], 'appUrl' | 'allowedOrigins'>,
  field: string,
  value: string | undefined,
  defaultPath: string,
): string {
  if (value === undefined) return appPage(config, defaultPath);
  const url = allowedRedirect(value, config);
  if (!url) {
    throw new AppError('REDIRECT_NOT_ALLOWED', `${field} must be on the app's own origin`, {
      fieldErrors: { [field]: ['must be an http(s) URL on APP_URL or ALLOWED_ORIGINS'] },
    });
  }
  // The parsed form: what was checked is what Stripe gets (no parser disagreement).
  return url.href;
}
