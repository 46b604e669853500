/**
 * What the usage tests share: an app with the default operation types (what `pnpm db:seed`
 * writes), an admin, a user, a `usage:write` key acting for that user, and knobs for the free
 * plan's allowance and overage mode (the plan a user without a subscription is on).
 */
import type { PlanOverageMode } from '@tollbooth/db';
import type { ApiKeyScope } from '../../src/api-keys/api-keys.schemas';
import { seedOperationTypes } from '../../src/usage/operation-types';
import { createKey, createUser, grant, keyClient, signInAdmin } from '../credits/credits-testing';
import { createTestApp, type TestApp } from '../harness';

export { grant };

export async function usageApp(
  options: Parameters<typeof createTestApp>[0] & { scopes?: ApiKeyScope[] } = {},
) {
  const { scopes = ['usage:write'], ...appOptions } = options;
  const t = await createTestApp(appOptions);
  await seedOperationTypes(t.deps.db);
  const { client: admin, account: adminAccount } = await signInAdmin(t);
  const userId = await createUser(t);
  const { key } = await createKey(admin, scopes);
  return { t, admin, adminAccount, userId, key, server: keyClient(t, key) };
}

/** Sets the free plan's included operations per month and what happens beyond them. */
export async function setFreePlan(t: TestApp, included: number, overageMode: PlanOverageMode) {
  await t.deps.db
    .updateTable('plans')
    .set({ included_operations: included, overage_mode: overageMode })
    .where('code', '=', 'free')
    .execute();
}
