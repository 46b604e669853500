/**
 * admin.*: operations for admins (role `admin`: ADMIN_EMAILS or `pnpm admin:promote`). Each
 * namespace's procedures live with their domain; this router only names them.
 */
import { apiKeysRouter } from '../api-keys/api-keys.router';
import { creditsAdminRouter } from '../credits/admin/credits-admin.router';
import { router } from '../trpc/procedures';
import { usageAdminRouter } from '../usage/usage-admin.router';

export const adminRouter = router({
  apiKeys: apiKeysRouter,
  credits: creditsAdminRouter,
  usage: usageAdminRouter,
});
